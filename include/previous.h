/* previous.h: what configure needs of the previously applied
 * configuration (the status file's text), read as little as it can be.
 *
 * configure compares the previous configuration with the current one for
 * two things only: guests that are gone or renamed (their files are
 * retired) and guests whose settings changed (reported, and applied live
 * or by a restart). Guests whose saved resources are byte for byte those
 * of the current model need nothing from it, so parsing and validating a
 * whole saved host of 1000 guests to find that out would cost more than
 * the rest of a configure that changes nothing. */
#ifndef LCFGXEN_PREVIOUS_H
#define LCFGXEN_PREVIOUS_H

#include "model.h"

enum prev_kind {
    PREV_SAME, /* no saved guest differs from the current model's (the
                * current one may have guests the saved one lacks) */
    PREV_PART, /* *part: the saved host settings with only the saved guests
                * that differ or are gone, in status-file form */
    PREV_FULL, /* the host settings differ, or the text is not laid out as
                * this schema writes it: read it all */
};

/* Compare old (the saved status text) with cur, whose status text is
 * cur_text (profile_format_status of cur->rs). For PREV_PART, *part is
 * set (caller frees). Never fails: anything unexpected is PREV_FULL. */
enum prev_kind previous_compare(const struct host *cur, const char *cur_text,
                                const char *old, char **part);

#endif
