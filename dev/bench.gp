# SPDX-License-Identifier: GPL-2.0
# make bench's plot: how each cost grows with the size preserved.
#   gnuplot -e "tmpfs='out/bench-tmpfs.dat'; boot='out/bench-boot.dat';
#               out='out/bench.svg'" dev/bench.gp
# Either data file may be missing or empty: its panel is left out.
tmpfs_ok = system("test -s '" . tmpfs . "' && echo 1 || echo 0") + 0
boot_ok = system("test -s '" . boot . "' && echo 1 || echo 0") + 0
panels = tmpfs_ok + boot_ok
if (panels == 0) exit

set terminal svg size panels * 640, 560 dynamic font "sans,11"
set output out
set datafile missing "-"
set multiplot layout 1, panels
set grid
set key below
set logscale x 2
set xlabel "MiB preserved"
rows(file, col, val) = sprintf("< awk '$%d == \"%s\"' '%s'", col, val, file)

if (tmpfs_ok) {
	set title "tmpfs: one file across kexec, ms (log scale)"
	set logscale y 10
	set ylabel "ms"
	plot rows(tmpfs, 2, "4k") using 1:($7 / 1000) with linespoints lw 2 \
		title "PKRAM, 4 KiB pages: preserve + boot + mount", \
	     rows(tmpfs, 2, "2m") using 1:($7 / 1000) with linespoints lw 2 \
		title "PKRAM, 2 MiB pages: preserve + boot + mount", \
	     rows(tmpfs, 2, "4k") using 1:($8 / 1000) with linespoints dt 2 \
		title "memcpy of the same bytes (the yardstick)", \
	     rows(tmpfs, 2, "4k") using 1:($9 / 1000) with linespoints dt 3 \
		title "copy to a second tmpfs and back (4 KiB)", \
	     rows(tmpfs, 2, "4k") using 1:($10 / 1000) with linespoints dt 4 \
		title "disk write and read back (4 KiB)"
}

if (boot_ok) {
	set title "the next kernel's boot, ms"
	unset logscale y
	set ylabel "ms"
	plot rows(boot, 2, "0") using 3:(($4 - $5) * 1000) with linespoints lw 2 \
		title "4 KiB folios: uptime at /init added", \
	     rows(boot, 2, "9") using 3:(($4 - $5) * 1000) with linespoints lw 2 \
		title "2 MiB folios: uptime at /init added", \
	     rows(boot, 2, "frag") using 3:(($4 - $5) * 1000) with linespoints lw 2 \
		title "every other page: uptime at /init added", \
	     rows(boot, 2, "0") using 3:($7 / 1000) with linespoints dt 2 \
		title "4 KiB folios: restore (background)", \
	     rows(boot, 2, "9") using 3:($7 / 1000) with linespoints dt 2 \
		title "2 MiB folios: restore (background)", \
	     rows(boot, 2, "frag") using 3:($7 / 1000) with linespoints dt 2 \
		title "every other page: restore (background)"
}
unset multiplot
