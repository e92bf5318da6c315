/* template.h: the LCFG::Template language, as a pure function.
 *
 * Supported: <%res%>, <%#res%>, <%if: EXPR%> <%else:%> <%end:%>,
 * <%ifdef: NAME%>, <%for: v=LIST%> (nested; the loop variable is visible as
 * <%v%> and inside names, e.g. <%memory_<%v%>%>), <%set: v=EXPR%>,
 * <%include: FILE%>, comments <%/\*%> ... <%*\/%> (written here with
 * backslashes only because C comments cannot contain them), and the
 * whitespace swallow <%\%>. <%perl:%> and <%shell:%> are refused with a
 * clear error. No I/O happens here: resources and included files come from
 * callbacks.
 *
 * Semantics where LCFG::Template leaves room:
 * - Nested <%...%> inside a directive are expanded first; the resulting
 *   name, condition, set value or file name is trimmed of whitespace.
 * - <%if:%> is true when its expansion is non-empty ("yes" vs ""); any
 *   other text, "no" and "0" included, is true.
 * - <%for:%> splits its expansion on whitespace; an empty list runs the
 *   body no times.
 * - A name is looked up in variables, innermost binding first (loop
 *   variables, then the template's <%set:%>s, then the including
 *   template's), and only then as a resource. A variable's derivation
 *   is "".
 * - <%set:%> binds in the current template, even inside a loop, so the
 *   value outlives the loop; a loop variable of the same name hides it
 *   inside the loop. An included template sees the includer's variables,
 *   but its own <%set:%>s do not leak back.
 * - Newlines after directives are kept; only <%\%> removes whitespace
 *   (all of it, newlines included, up to the next non-blank character).
 * - Keywords are case-sensitive and must follow "<%" directly; <%else:%>
 *   and <%end:%> take no argument. There is no escape for a literal "<%".
 * - Syntax errors are found before anything is evaluated, so a mistake in
 *   a branch that is not taken is still an error. Includes nest at most 16
 *   deep, which is what stops a template including itself.
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
