/* template.h: the LCFG::Template language, as a pure function.
 *
 * Supported: <%res%>, <%#res%>, <%if: EXPR%> <%else:%> <%end:%>,
 * <%ifdef: NAME%>, <%for: v=LIST%> (nested; the loop variable is visible as
 * <%v%> and inside names, e.g. <%memory_<%v%>%>), <%set: v=EXPR%>,
 * <%include: FILE%>, comments <%/\*%> ... <%*\/%> (written here with
 * backslashes only because C comments cannot contain them), skip blocks
 * <%{%> ... <%}%>, and the whitespace swallow <%\%>. <%perl:%> and
 * <%shell:%> are refused with a clear error. No I/O happens here:
 * resources and included files come from callbacks.
 *
 * As LCFG::Template (its scanner, parser and evaluator as ported in
 * sjquinney/Xenon lib/Xenon/File/LCFG.pm):
 * - Blanks may follow "<%" and surround a keyword's colon and the marks
 *   (<% if : x %>, <% else : %>, <% \ %>, <% { %>). Keywords are
 *   case-sensitive. A "%>" outside a directive is an error; there is no
 *   escape for a literal "<%" or "%>" (a resource's value may hold them).
 * - Nested <%...%> inside a directive are expanded first. A name, a
 *   condition, a list and a file name are then trimmed of whitespace; a
 *   <%set:%> value is not (only the blanks right after "=" are skipped).
 * - A name is [a-zA-Z_0-9]+ once expanded (anything else is an error where
 *   it is evaluated). It is looked up in the template file's <%set:%>
 *   variables, then the running loops' variables (innermost first), then
 *   as a resource: a set variable hides a loop variable of its name.
 *   <%#name%> is a resource's derivation, "" for an undefined resource;
 *   variables have none.
 * - <%if:%> is true when its expansion is non-empty ("yes" vs ""); any
 *   other text, "no" and "0" included, is true. <%ifdef:%> is true when
 *   the name is a variable or a resource.
 * - <%for:%> splits its expansion on whitespace; an empty list runs the
 *   body no times. Its variable is [a-zA-Z_]+.
 * - <%set:%> binds in the current template file, even inside a loop, so
 *   the value outlives the loop. An included file starts with no set
 *   variables (the includer's are not seen, and its own do not leak back)
 *   but sees the loops around its <%include:%>.
 * - A skip block's text is written like any other (LCFG::Template leaves
 *   it out only of a second, "skip" rendering, which is not made here).
 * - Comments may nest; their content must be well formed but is never
 *   evaluated, so perl:, shell:, unknown keywords and bad names are
 *   accepted there.
 * - Newlines after directives are kept; only <%\%> removes whitespace
 *   (all of it, newlines included, up to the next non-blank character).
 *
 * Stricter than LCFG::Template, which finds these only when it evaluates
 * them: syntax errors (an unknown keyword, <%perl:%>, a bad <%for:%> or
 * <%set:%> variable, <%else: x%>) are found before anything is evaluated,
 * so a mistake in a branch that is not taken is still an error, and
 * <%set: a=b=c%> sets a (LCFG::Template would set "a=b"). Includes nest
 * at most 16 deep, which stops a template including itself. The first
 * error is reported, not all of them. Looser: an <%include:%> file name
 * is trimmed (LCFG::Template would look for one ending in the blanks).
 */
#ifndef LCFGXEN_TEMPLATE_H
#define LCFGXEN_TEMPLATE_H

/* Look up a resource. Return its value (borrowed; must stay valid for the
 * call to tmpl_render), or NULL when the resource is not defined. When
 * derivation is not NULL, store the resource's derivation there (borrowed,
 * "" when unknown). */
typedef const char *(*tmpl_lookup_fn)(void *ctx, const char *name,
                                      const char **derivation);

/* Read an included template. Return 0 and a malloc'd NUL-terminated text in
 * *ret_text (caller frees), or -1 and a message in *err. The name is the
 * <%include:%> argument after expansion and trimming. */
typedef int (*tmpl_include_fn)(void *ctx, const char *name, char **ret_text,
                               char **err);

struct tmpl_env {
    tmpl_lookup_fn lookup;
    tmpl_include_fn include; /* NULL: <%include:%> is an error */
    void *ctx;               /* passed to both callbacks */
};

/* Render template text. filename is used only in error messages.
 * On success return 0 and a malloc'd result in *ret_out.
 * On error return -1, leave *ret_out untouched and set *err to a message
 * of the form "FILE:LINE: what went wrong" (caller frees). */
int tmpl_render(const char *text, const char *filename,
                const struct tmpl_env *env, char **ret_out, char **err);

/* The same in two steps, so that one template rendered for many guests is
 * parsed once: tmpl_parse finds every syntax error (0, or -1 with *err as
 * above); tmpl_eval renders the parsed template, any number of times. */
struct tmpl;
int tmpl_parse(const char *text, const char *filename, struct tmpl **ret, char **err);
int tmpl_eval(const struct tmpl *t, const struct tmpl_env *env, char **ret_out, char **err);
void tmpl_free(struct tmpl *t);

#endif
