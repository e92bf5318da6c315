/* diff.h: a unified diff of two texts, for configure --dry-run. */
#ifndef LCFGXEN_DIFF_H
#define LCFGXEN_DIFF_H

/* The unified diff (3 lines of context) from old_text to new_text, with
 * "--- old_name" / "+++ new_name" headers; "" when the texts are equal.
 * A text that does not end in a newline gets "\ No newline at end of file"
 * as diff(1) prints it. The output is byte for byte that of GNU
 * "diff -u --label old_name --label new_name" (hunk ranges, hunk merging
 * and the choice between equally short diffs included), so it can be fed
 * to patch(1). Never NULL; caller frees. */
char *diff_unified(const char *old_text, const char *new_text, const char *old_name,
                   const char *new_name);

#endif
