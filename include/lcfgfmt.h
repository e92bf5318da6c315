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
#include <string.h>

#include "util.h"

/* A resource or component name (lcfgresource_valid_name):
 * [A-Za-z][A-Za-z0-9_]*, which keeps it safe as a shell variable name, as
 * ngeneric needs. Inline: every resource read is checked. */
static inline bool lcfg_valid_name(const char *s)
{
    /* 1: may start a name; 2: may follow. Every resource read is checked. */
    static const unsigned char ok[256] = {
#define L(c) [c] = 3
#define D(c) [c] = 2
        L('A'), L('B'), L('C'), L('D'), L('E'), L('F'), L('G'), L('H'), L('I'), L('J'),
        L('K'), L('L'), L('M'), L('N'), L('O'), L('P'), L('Q'), L('R'), L('S'), L('T'),
        L('U'), L('V'), L('W'), L('X'), L('Y'), L('Z'),
        L('a'), L('b'), L('c'), L('d'), L('e'), L('f'), L('g'), L('h'), L('i'), L('j'),
        L('k'), L('l'), L('m'), L('n'), L('o'), L('p'), L('q'), L('r'), L('s'), L('t'),
        L('u'), L('v'), L('w'), L('x'), L('y'), L('z'),
        D('0'), D('1'), D('2'), D('3'), D('4'), D('5'), D('6'), D('7'), D('8'), D('9'),
        D('_'),
#undef L
#undef D
    };
    const unsigned char *p = (const unsigned char *)s;
    if (!(ok[*p] & 1))
        return false;
    for (p++; *p; p++)
        if (!(ok[*p] & 2))
            return false;
    return true;
}


/* The most bytes one byte of a value becomes when encoded ("&#x26;"). */
#define LCFG_ENC_MAX 6

/* Write value at p, each '&', newline and CR as "&#x26;", "&#xA;" and
 * "&#xD;" (the only bytes lcfg-core encodes); returns the end. p has room
 * for LCFG_ENC_MAX bytes per byte of value. No NUL is written. Inline:
 * every value of a status file goes through here. */
static inline char *lcfg_encode_value(char *p, const char *value)
{
    static const unsigned char special[256] = { ['\0'] = 1, ['&'] = 1, ['\n'] = 1, ['\r'] = 1 };
    for (const unsigned char *v = (const unsigned char *)value;; v++) {
        if (!special[*v]) {
            *p++ = (char)*v;
            continue;
        }
        if (!*v)
            return p;
        size_t n = *v == '&' ? 6 : 5;
        memcpy(p, *v == '&' ? "&#x26;" : *v == '\n' ? "&#xA;" : "&#xD;", n);
        p += n;
    }
}

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
