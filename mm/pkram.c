// SPDX-License-Identifier: GPL-2.0
/*
 * PKRAM: Persistent Kernel RAM, the streams API.
 *
 * This is the skeleton of the API: names are checked and nothing can be
 * saved yet, so there is never anything to load.
 */
#define pr_fmt(fmt) "PKRAM: " fmt

#include <linux/errno.h>
#include <linux/export.h>
#include <linux/pkram.h>
#include <linux/string.h>

/*
 * pkram_check_name - check that @name can name a node
 * Return: 0, -EINVAL if @name is NULL or empty, or -ENAMETOOLONG if it does
 * not fit PKRAM_NAME_MAX bytes with its terminating NUL.
 */
static int pkram_check_name(const char *name)
{
	if (!name || !*name)
		return -EINVAL;
	if (strnlen(name, PKRAM_NAME_MAX) >= PKRAM_NAME_MAX)
		return -ENAMETOOLONG;
	return 0;
}

/**
 * pkram_prepare_save - start saving a new node
 * @ps: the stream to set up
 * @name: name of the node, at most PKRAM_NAME_MAX - 1 bytes
 * @gfp_mask: allocation flags for the metadata pages of the node
 *
 * Context: process context, may sleep.
 * Return: 0 on success, -EINVAL or -ENAMETOOLONG for a bad @name,
 * -EOPNOTSUPP while saving is not implemented.
 */
int pkram_prepare_save(struct pkram_stream *ps, const char *name,
		       gfp_t gfp_mask)
{
	int err;

	err = pkram_check_name(name);
	if (err)
		return err;
	return -EOPNOTSUPP;
}
EXPORT_SYMBOL_GPL(pkram_prepare_save);

/**
 * pkram_prepare_save_obj - start saving a new object of the node
 * @ps: the stream of the node being saved
 * @flags: the streams the object holds, PKRAM_DATA_folios and/or
 *	PKRAM_DATA_bytes
 *
 * Return: 0 on success, -EINVAL for bad @flags, -ENOMEM.
 */
int pkram_prepare_save_obj(struct pkram_stream *ps,
			   enum pkram_data_flags flags)
{
	return -EINVAL;
}
EXPORT_SYMBOL_GPL(pkram_prepare_save_obj);

/**
 * pkram_finish_save_obj - finish saving the current object
 * @ps: the stream of the node being saved
 */
void pkram_finish_save_obj(struct pkram_stream *ps)
{
}
EXPORT_SYMBOL_GPL(pkram_finish_save_obj);

/**
 * pkram_finish_save - make the node complete and available for loading
 * @ps: the stream of the node being saved
 */
void pkram_finish_save(struct pkram_stream *ps)
{
}
EXPORT_SYMBOL_GPL(pkram_finish_save);

/**
 * pkram_discard_save - drop a node being saved and all it holds
 * @ps: the stream of the node being saved
 */
void pkram_discard_save(struct pkram_stream *ps)
{
}
EXPORT_SYMBOL_GPL(pkram_discard_save);

/**
 * pkram_prepare_load - start loading a saved node
 * @ps: the stream to set up
 * @name: name of the node
 *
 * Context: process context, may sleep.
 * Return: 0 on success, -EINVAL or -ENAMETOOLONG for a bad @name, -ENOENT
 * if no node of that name is saved.
 */
int pkram_prepare_load(struct pkram_stream *ps, const char *name)
{
	int err;

	err = pkram_check_name(name);
	if (err)
		return err;
	return -ENOENT;
}
EXPORT_SYMBOL_GPL(pkram_prepare_load);

/**
 * pkram_prepare_load_obj - start loading the next object of the node
 * @ps: the stream of the node being loaded
 *
 * Return: 0 on success, -ENODATA if the node has no more objects.
 */
int pkram_prepare_load_obj(struct pkram_stream *ps)
{
	return -ENODATA;
}
EXPORT_SYMBOL_GPL(pkram_prepare_load_obj);

/**
 * pkram_finish_load_obj - finish loading the current object
 * @ps: the stream of the node being loaded
 */
void pkram_finish_load_obj(struct pkram_stream *ps)
{
}
EXPORT_SYMBOL_GPL(pkram_finish_load_obj);

/**
 * pkram_finish_load - finish loading a node and free what was not loaded
 * @ps: the stream of the node being loaded
 */
void pkram_finish_load(struct pkram_stream *ps)
{
}
EXPORT_SYMBOL_GPL(pkram_finish_load);

/**
 * pkram_finish_access - end an access to a stream of the current object
 * @pa: the access
 * @status_ok: false to drop what this access saved
 */
void pkram_finish_access(struct pkram_access *pa, bool status_ok)
{
}
EXPORT_SYMBOL_GPL(pkram_finish_access);

/**
 * pkram_save_folio - save a folio into the folio stream of the object
 * @pa: an access of type folios to the object being saved
 * @folio: the folio; its index is saved with it
 *
 * Return: 0 on success, -ENOMEM.
 */
int pkram_save_folio(struct pkram_access *pa, struct folio *folio)
{
	return -EINVAL;
}
EXPORT_SYMBOL_GPL(pkram_save_folio);

/**
 * pkram_load_folio - load the next folio of the folio stream of the object
 * @pa: an access of type folios to the object being loaded
 * @index: where to store the file index of the folio, may be NULL
 *
 * Return: the folio, with one reference owned by the caller, or NULL at the
 * end of the stream.
 */
struct folio *pkram_load_folio(struct pkram_access *pa, unsigned long *index)
{
	return NULL;
}
EXPORT_SYMBOL_GPL(pkram_load_folio);

/**
 * pkram_write - append bytes to the byte stream of the object
 * @pa: an access of type bytes to the object being saved
 * @buf: the bytes
 * @count: how many
 *
 * Return: @count on success, -ENOMEM.
 */
ssize_t pkram_write(struct pkram_access *pa, const void *buf, size_t count)
{
	return -EINVAL;
}
EXPORT_SYMBOL_GPL(pkram_write);

/**
 * pkram_read - read bytes from the byte stream of the object
 * @pa: an access of type bytes to the object being loaded
 * @buf: where to copy them
 * @count: how many at most
 *
 * Return: the number of bytes read, 0 at the end of the stream.
 */
size_t pkram_read(struct pkram_access *pa, void *buf, size_t count)
{
	return 0;
}
EXPORT_SYMBOL_GPL(pkram_read);
