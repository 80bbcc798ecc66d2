/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PKRAM_SIM_CRC32_H
#define _PKRAM_SIM_CRC32_H
#include <linux/pkram_sim.h>
#endif
