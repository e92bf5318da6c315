/* lcfgfmt.h: the text forms an LCFG status file carries, written and read
 * as lcfg-core (sjquinney/lcfg-core 1.54.7) writes and reads them: value
 * encoding (resources/resource.c lcfgresource_enc_value) and decoding
 * (utils/entities.c, lcfgutils_decode_html_entities_utf8), resource types
 * (lcfgresource_set_type_as_string, lcfgresource_get_type_as_string,
 * lcfgresource_valid_*) and derivations (common/derivation/list.c,
 * lcfgderivlist_from_string and lcfgderivlist_to_string). */
#ifndef LCFGXEN_LCFGFMT_H
#define LCFGXEN_LCFGFMT_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* A resource or component name (lcfgresource_valid_name):
 * [A-Za-z][A-Za-z0-9_]*, which keeps it safe as a shell variable name, as
 * ngeneric needs. */
bool lcfg_valid_name(const char *s);

/* The most bytes one byte of a value becomes when encoded ("&#x26;"). */
#define LCFG_ENC_MAX 6

/* Write value at p, each '&', newline and CR as "&#x26;", "&#xA;" and
 * "&#xD;" (the only bytes lcfg-core encodes); returns the end. p has room
 * for LCFG_ENC_MAX bytes per byte of value. No NUL is written. */
char *lcfg_encode_value(char *p, const char *value);

/* A status-file value decoded as lcfg-core's reader does: every HTML 4
 * named entity (and &apos;), decimal and hexadecimal character references
 * (as strtoul reads them, up to U+10FFFF) as UTF-8; anything else is kept
 * as it is. A reference to character 0 ends the value there, as it ends
 * lcfg-core's C string. Caller frees. */
char *lcfg_decode_value(const char *s);

enum lcfg_type {
    LCFG_TYPE_STRING,
    LCFG_TYPE_INTEGER,
    LCFG_TYPE_BOOLEAN,
    LCFG_TYPE_LIST,
    LCFG_TYPE_PUBLISH,
    LCFG_TYPE_SUBSCRIBE,
};

/* Values each type accepts (lcfgresource_valid_*): an integer is an
 * optional '-' and digits without a leading zero ("0" itself is one); a
 * boolean is "" or "yes"; a list is tags ([A-Za-z0-9_]) and spaces. */
bool lcfg_valid_integer(const char *v);
bool lcfg_valid_boolean(const char *v);
bool lcfg_valid_list(const char *v);
bool lcfg_valid_value(enum lcfg_type t, const char *v);

/* A type declaration (a status file's '%' line, an XML profile's
 * cfg:type) in the form lcfg-core writes it back: "integer",
 * "integer(comment)", "list: a_$ b_$", "list: ". A plain string is ""
 * (lcfg-core writes no type for it). An empty declaration is a plain
 * string. Returns a new string, or NULL with *why set (caller frees) when
 * lcfg-core refuses the declaration. */
char *lcfg_type_canon(const char *decl, char **why);
/* The type a canonical type string names. */
enum lcfg_type lcfg_type_kind(const char *canon);

/* A derivation ("a.h:9,3 b.h:1 a.h:3") appended to out in the form
 * lcfg-core writes it back ("a.h:3,9 b.h:1": one entry per file, in order
 * of first mention, its line numbers sorted, each once). false, with out
 * as it was, when lcfg-core cannot read it (a line number that is not
 * one, an entry without a file name, nothing at all). */
bool lcfg_deriv_canon(const char *d, struct buf *out);
/* The same, for writing: false (out as it was) also when the form
 * lcfg-core would write does not read back as itself. lcfg-core writes a
 * file name that has a ':' and no line numbers as it is ("a:b"), which
 * then reads as file "a", line "b" and is refused; such a derivation is
 * better left out. */
bool lcfg_deriv_write(const char *d, struct buf *out);

#endif
