/* test-template.c: the LCFG::Template language (src/template.c). */
#include "testutil.h"

#include "template.h"
#include "util.h"

/* ---- fakes: resources and included files from static tables ---- */

struct fake_res {
    const char *name;
    const char *value;
    const char *deriv; /* NULL: leave *derivation alone (template copes) */
};

static const struct fake_res resources[] = {
    { "name", "vm1", "xen-1.def:10" },
    { "enabled", "yes", "site.h:3" },
    { "disabled", "", NULL },
    { "blank", " \t\n", NULL },
    { "no", "no", NULL },
    { "guests", "a b c", "profile:12" },
    { "spaced", "  a\t b\n\nc  ", NULL },
    { "empty", "", NULL },
    { "memory_a", "512", "guests.h:1" },
    { "memory_b", "1024", "guests.h:2" },
    { "memory_c", "2048", NULL },
    { "disks_a", "d1 d2", NULL },
    { "disks_b", "", NULL },
    { "disks_c", "d3", NULL },
    { "v", "resource-v", NULL },
    { "g", "resource-g", NULL },
    { "s", "resource-s", NULL },
    { "key", "na", NULL },
    { "inc", "hello", NULL },
    { "padded", "  x y  ", NULL },
    { "percent", "100%>", NULL },
    { "markup", "<%name%>", NULL },
};

/* A long list for the performance tests, built on demand. */
static char *many_value;

struct fake_ctx {
    int lookups;
    int includes;
    int chain_limit; /* "chainN" includes chainN+1 while N < chain_limit */
};

static struct fake_ctx fctx;

static const char *fake_lookup(void *ctx, const char *name,
                               const char **derivation)
{
    struct fake_ctx *c = ctx;
    c->lookups++;
    if (many_value && strcmp(name, "many") == 0)
        return many_value;
    for (size_t i = 0; i < ARRAY_SIZE(resources); i++) {
        if (strcmp(resources[i].name, name) != 0)
            continue;
        if (derivation && resources[i].deriv)
            *derivation = resources[i].deriv;
        return resources[i].value;
    }
    return NULL;
}

struct fake_file {
    const char *name;
    const char *text;
};

static const struct fake_file files[] = {
    { "hello.tmpl", "hello <%name%>\n" },
    { "self.tmpl", "x<%include: self.tmpl%>" },
    { "ping.tmpl", "<%include: pong.tmpl%>" },
    { "pong.tmpl", "<%include: ping.tmpl%>" },
    { "showv.tmpl", "[<%v%>]" },
    { "setter.tmpl", "<%set: s=inner%><%s%>" },
    { "badres.tmpl", "ok\n\n<%nosuch%>\n" },
    { "badsyntax.tmpl", "a\n<%if: x%>\nb\n" },
    { "perl.tmpl", "\n<%perl: system('rm -rf /')%>" },
    { "nested.tmpl", "<%include: hello.tmpl%>" },
    { "deep.tmpl", "1\n2\n<%include: badres.tmpl%>" },
    { "empty.tmpl", "" },
    { "hello_include", "<%include: hello.tmpl%>" },
    { "showonly.tmpl", "[<%ifdef: only%><%only%><%else:%>unseen<%end:%>]" },
    { "setv.tmpl", "<%set: v=inc%>(<%v%>)" },
    { "spaced.tmpl", "<% if : <%enabled%> %>on<% end : %>" },
};

static int fake_include(void *ctx, const char *name, char **ret_text,
                        char **err)
{
    struct fake_ctx *c = ctx;
    c->includes++;
    if (strncmp(name, "chain", 5) == 0) {
        int n = atoi(name + 5);
        if (n < c->chain_limit)
            *ret_text = xasprintf("%d<%%include: chain%d%%>", n, n + 1);
        else
            *ret_text = xasprintf("%d", n);
        return 0;
    }
    if (strcmp(name, "silent.tmpl") == 0)
        return -1; /* fails without a message */
    for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
        if (strcmp(files[i].name, name) == 0) {
            *ret_text = xstrdup(files[i].text);
            return 0;
        }
    }
    *err = xstrdup("no such template");
    return -1;
}

static const struct tmpl_env env = { fake_lookup, fake_include, &fctx };
static const struct tmpl_env env_noinc = { fake_lookup, NULL, &fctx };

static int setup(void **state)
{
    (void)state;
    memset(&fctx, 0, sizeof(fctx));
    fctx.chain_limit = 3;
    return 0;
}

static char *render_env_ok(const struct tmpl_env *e, const char *text)
{
    char *out = NULL, *err = NULL;
    if (tmpl_render(text, "t.tmpl", e, &out, &err) != 0) {
        print_error("unexpected error: %s\n", err ? err : "(null)");
        free(err);
        fail();
    }
    assert_null(err);
    assert_non_null(out);
    return out;
}

static char *render_env_err(const struct tmpl_env *e, const char *text)
{
    static char sentinel[] = "untouched";
    char *out = sentinel, *err = NULL;
    assert_int_equal(tmpl_render(text, "t.tmpl", e, &out, &err), -1);
    assert_ptr_equal(out, sentinel); /* *ret_out left alone on error */
    assert_non_null(err);
    return err;
}

#define assert_render_env(e, text, expected)                                \
    do {                                                                    \
        char *out_ = render_env_ok((e), (text));                            \
        assert_string_equal(out_, (expected));                              \
        free(out_);                                                         \
    } while (0)

#define assert_error_env(e, text, expected)                                 \
    do {                                                                    \
        char *err_ = render_env_err((e), (text));                           \
        assert_string_equal(err_, (expected));                              \
        free(err_);                                                         \
    } while (0)

#define assert_render(text, expected) assert_render_env(&env, text, expected)
#define assert_error(text, expected) assert_error_env(&env, text, expected)

/* ---- plain text and resources ---- */

static void test_plain_text(void **state)
{
    (void)state;
    assert_render("", "");
    assert_render("no directives\n", "no directives\n");
    /* Odd characters are just text ("%>" is not: test_stray_close). */
    assert_render("100% sure % > <  % >\n\ttab\r\n",
                  "100% sure % > <  % >\n\ttab\r\n");
    assert_render("<", "<");
    assert_render("%", "%");
}

static void test_resource(void **state)
{
    (void)state;
    assert_render("<%name%>", "vm1");
    assert_render("name=<%name%>\n", "name=vm1\n");
    assert_render("<%name%><%name%>", "vm1vm1");
    assert_render("[<%empty%>]", "[]");
    /* Whitespace around a name is not part of it. */
    assert_render("<% name %>|<%\tname\n%>", "vm1|vm1");
}

static void test_resource_value_not_reparsed(void **state)
{
    (void)state;
    /* Values are data: delimiters inside them are copied as they are. */
    assert_render("<%markup%> <%percent%>", "<%name%> 100%>");
}

static void test_derivation(void **state)
{
    (void)state;
    assert_render("<%#name%>", "xen-1.def:10");
    assert_render("<%#guests%>", "profile:12");
    assert_render("[<%#disabled%>]", "[]"); /* no derivation: "" */
    /* The "#" belongs to the name, blanks go around both. */
    assert_render("<% #name %>", "xen-1.def:10");
    assert_error("<%# name%>", "t.tmpl:1: invalid resource name '# name'");
}

static void test_unknown_resource(void **state)
{
    (void)state;
    assert_error("<%nosuch%>", "t.tmpl:1: unknown resource 'nosuch'");
    assert_error("a\nb\n  <%nosuch%>\n",
                 "t.tmpl:3: unknown resource 'nosuch'");
    assert_error("<%%>", "t.tmpl:1: invalid resource name ''");
}

static void test_callbacks_get_ctx(void **state)
{
    (void)state;
    assert_render("<%name%><%include: empty.tmpl%>", "vm1");
    assert_true(fctx.lookups >= 1);
    assert_int_equal(fctx.includes, 1);
}

static void test_null_filename(void **state)
{
    (void)state;
    char *out = NULL, *err = NULL;
    assert_int_equal(tmpl_render("<%nosuch%>", NULL, &env, &out, &err), -1);
    assert_null(out);
    assert_string_equal(err, "template:1: unknown resource 'nosuch'");
    free(err);
}

static void test_no_lookup(void **state)
{
    (void)state;
    static const struct tmpl_env bare = { NULL, NULL, NULL };
    assert_render_env(&bare, "<%set: x=1%><%x%>", "1");
    assert_error_env(&bare, "<%name%>", "t.tmpl:1: unknown resource 'name'");
}

/* ---- if / ifdef ---- */

static void test_if(void **state)
{
    (void)state;
    assert_render("<%if: <%enabled%>%>on<%end:%>", "on");
    assert_render("<%if: <%disabled%>%>on<%end:%>", "");
    assert_render("<%if: <%enabled%>%>on<%else:%>off<%end:%>", "on");
    assert_render("<%if: <%disabled%>%>on<%else:%>off<%end:%>", "off");
    /* No space after the colon, and spaces before "%>" for else/end. */
    assert_render("<%if:<%enabled%>%>on<%else: %>off<%end:  %>", "on");
}

static void test_if_truth(void **state)
{
    (void)state;
    /* Only an empty (after trimming) expansion is false. */
    assert_render("<%if: <%blank%>%>T<%else:%>F<%end:%>", "F");
    assert_render("<%if: <%no%>%>T<%else:%>F<%end:%>", "T");
    assert_render("<%if: %>T<%else:%>F<%end:%>", "F");
    assert_render("<%if:%>T<%else:%>F<%end:%>", "F");
    assert_render("<%if: literal%>T<%else:%>F<%end:%>", "T");
    assert_render("<%if: <%disabled%><%empty%>%>T<%else:%>F<%end:%>", "F");
    assert_render("<%if: <%disabled%>x%>T<%else:%>F<%end:%>", "T");
}

static void test_if_nested(void **state)
{
    (void)state;
    assert_render("<%if: <%enabled%>%>a<%if: <%disabled%>%>b<%else:%>c"
                  "<%end:%>d<%else:%>e<%end:%>",
                  "acd");
    assert_render("<%if: <%disabled%>%>a<%else:%><%if: <%enabled%>%>b"
                  "<%end:%><%end:%>",
                  "b");
}

static void test_if_untaken_branch_not_evaluated(void **state)
{
    (void)state;
    /* An unknown resource only matters when it is used. */
    assert_render("<%if: <%disabled%>%><%nosuch%><%end:%>ok", "ok");
    assert_render("<%if: <%enabled%>%>ok<%else:%><%nosuch%><%end:%>", "ok");
    assert_error("<%if: <%nosuch%>%>x<%end:%>",
                 "t.tmpl:1: unknown resource 'nosuch'");
}

static void test_ifdef(void **state)
{
    (void)state;
    assert_render("<%ifdef: name%>yes<%end:%>", "yes");
    assert_render("<%ifdef: nosuch%>yes<%end:%>", "");
    assert_render("<%ifdef: nosuch%>yes<%else:%>no<%end:%>", "no");
    assert_render("<%ifdef:disabled%>defined<%else:%>no<%end:%>", "defined");
    /* The name may be computed. */
    assert_render("<%ifdef: memory_<%key%>%>y<%else:%>n<%end:%>"
                  "<%ifdef: memory_a%>y<%else:%>n<%end:%>",
                  "ny");
}

static void test_ifdef_variables(void **state)
{
    (void)state;
    assert_render("<%for: x=a%><%ifdef: x%>loop<%end:%><%end:%>"
                  "<%ifdef: x%>after<%else:%>gone<%end:%>",
                  "loopgone");
    assert_render("<%ifdef: y%>1<%end:%><%set: y=%><%ifdef: y%>2<%end:%>",
                  "2");
}

static void test_block_newlines_kept(void **state)
{
    (void)state;
    /* Block directives do not eat the newline after them. */
    assert_render("<%if: <%enabled%>%>\nx\n<%end:%>\n", "\nx\n\n");
    assert_render("a\n<%if: <%disabled%>%>\nx\n<%else:%>\ny\n<%end:%>\nb\n",
                  "a\n\ny\n\nb\n");
    assert_render("<%for: v=1 2%>\n<%v%>\n<%end:%>\n", "\n1\n\n2\n\n");
}

/* ---- for ---- */

static void test_for(void **state)
{
    (void)state;
    assert_render("<%for: v=<%guests%>%>[<%v%>]<%end:%>", "[a][b][c]");
    assert_render("<%for:v=x y%><%v%>,<%end:%>", "x,y,");
    assert_render("<%for: v = <%guests%> %><%v%><%end:%>", "abc");
    /* Any whitespace separates words; empty lists run no times. */
    assert_render("<%for: v=<%spaced%>%>(<%v%>)<%end:%>", "(a)(b)(c)");
    assert_render("<%for: v=<%empty%>%>x<%end:%>done", "done");
    assert_render("<%for: v=%>x<%end:%>done", "done");
    assert_render("<%for: v=<%guests%> d%><%v%><%end:%>", "abcd");
}

static void test_for_nested(void **state)
{
    (void)state;
    assert_render("<%for: i=1 2%><%for: j=a b%><%i%><%j%> <%end:%><%end:%>",
                  "1a 1b 2a 2b ");
    /* The inner list depends on the outer variable. */
    assert_render("<%for: g=<%guests%>%><%g%>:<%for: d=<%disks_<%g%>%>%>"
                  "<%d%>,<%end:%>;<%end:%>",
                  "a:d1,d2,;b:;c:d3,;");
    /* Same name nested: the inner binding hides the outer one. */
    assert_render("<%for: v=1 2%><%for: v=x%><%v%><%end:%><%v%><%end:%>",
                  "x1x2");
}

static void test_for_dynamic_name(void **state)
{
    (void)state;
    assert_render("<%for: v=<%guests%>%><%v%>=<%memory_<%v%>%>\n<%end:%>",
                  "a=512\nb=1024\nc=2048\n");
    assert_render("<%for: v=<%guests%>%><%#memory_<%v%>%>|<%end:%>",
                  "guests.h:1|guests.h:2||");
    assert_render("<%for: k=a%><%memory_<%k%>%><%end:%>", "512");
    assert_error("<%for: v=a z%><%memory_<%v%>%><%end:%>",
                 "t.tmpl:1: unknown resource 'memory_z'");
}

static void test_block_inside_name(void **state)
{
    (void)state;
    /* Any directive may build a name, blocks included. */
    assert_render("<%memory_<%if: <%enabled%>%>a<%else:%>b<%end:%>%>", "512");
    assert_render("<%disks_<%for: x=c%><%x%><%end:%>%>", "d3");
    assert_render("<%set: w=<%/*%>gone<%*/%>b%><%memory_<%w%>%>", "1024");
}

static void test_if_inside_for(void **state)
{
    (void)state;
    assert_render("<%for: g=<%guests%>%><%if: <%disks_<%g%>%>%><%g%>+"
                  "<%else:%><%g%>-<%end:%><%end:%>",
                  "a+b-c+");
    assert_render("<%for: g=<%guests%>%><%ifdef: memory_<%g%>%><%g%>"
                  "<%end:%><%end:%>",
                  "abc");
}

static void test_for_variable_shadows_resource(void **state)
{
    (void)state;
    assert_render("<%v%> <%for: v=x%><%v%> <%#v%>.<%end:%> <%v%>",
                  "resource-v x . resource-v");
}

static void test_for_unknown_in_body_stops(void **state)
{
    (void)state;
    assert_error("a\n<%for: v=1 2 3%>\n<%if: <%v%>%><%nosuch_<%v%>%><%end:%>"
                 "<%end:%>",
                 "t.tmpl:3: unknown resource 'nosuch_1'");
}

/* ---- set ---- */

static void test_set(void **state)
{
    (void)state;
    assert_render("<%set: x=hello%>[<%x%>]", "[hello]");
    assert_render("<%set:x=1%><%x%>", "1");
    /* The value is expanded; the blanks after "=" are skipped, the ones
     * at its end are kept (LCFG::Template does not trim it). */
    assert_render("a<%set: x = <%name%>-<%guests%> %>b[<%x%>]",
                  "ab[vm1-a b c ]");
    assert_render("<%set: x=\n <%padded%>%>[<%x%>]", "[  x y  ]");
    assert_render("<%set: x=%>[<%x%>]", "[]");
}

static void test_set_shadows_resource(void **state)
{
    (void)state;
    assert_render("<%s%> <%set: s=mine%><%s%> <%#s%>.", "resource-s mine .");
}

static void test_set_reassign(void **state)
{
    (void)state;
    assert_render("<%set: x=a%><%x%><%set: x=<%x%>b%><%x%>"
                  "<%set: x=<%x%>c%><%x%>",
                  "aababc");
}

static void test_set_in_loop(void **state)
{
    (void)state;
    /* A set inside a loop binds for the template, so it outlives the loop
     * (LCFG::Template keeps one table per file). */
    assert_render("<%for: g=<%guests%>%><%set: last=<%g%>%><%end:%><%last%>",
                  "c");
    assert_render("<%set: acc=%><%for: g=<%guests%>%>"
                  "<%set: acc=<%acc%><%g%>%><%end:%><%acc%>",
                  "abc");
}

static void test_set_used_as_list(void **state)
{
    (void)state;
    assert_render("<%set: l=x <%guests%>%><%for: i=<%l%>%><%i%>.<%end:%>",
                  "x.a.b.c.");
}

/* ---- comments and swallow ---- */

static void test_comment(void **state)
{
    (void)state;
    assert_render("a<%/*%>hidden<%*/%>b", "ab");
    assert_render("a<%/*%>\nmany\nlines\n<%*/%>b", "ab");
    /* Directives inside are parsed, never evaluated. */
    assert_render("<%/*%><%nosuch%><%if: x%><%include: x%><%end:%><%*/%>ok",
                  "ok");
    assert_render("<%for: v=1 2%><%/*%>c<%*/%><%v%><%end:%>", "12");
}

static void test_comment_keeps_line_numbers(void **state)
{
    (void)state;
    assert_error("<%/*%>\n\n<%*/%>\n<%nosuch%>",
                 "t.tmpl:4: unknown resource 'nosuch'");
}

static void test_swallow(void **state)
{
    (void)state;
    assert_render("a<%\\%>   \n\t\n  b", "ab");
    assert_render("a<%\\%>b", "ab");
    assert_render("a<%\\%>", "a");
    assert_render("a <%\\%>\n", "a ");
    /* The usual use: join lines without putting blank ones in the output. */
    assert_render("<%for: v=1 2%><%\\%>\n  <%v%>,<%\\%>\n<%end:%>\n",
                  "1,2,\n");
    assert_render("<%if: <%enabled%>%><%\\%>\nx\n<%end:%>", "x\n");
}

static void test_swallow_keeps_line_numbers(void **state)
{
    (void)state;
    assert_error("x<%\\%>\n\n\n<%nosuch%>",
                 "t.tmpl:4: unknown resource 'nosuch'");
}

/* ---- include ---- */

static void test_include(void **state)
{
    (void)state;
    assert_render("[<%include: hello.tmpl%>]", "[hello vm1\n]");
    assert_render("<%include:hello.tmpl%><%include: empty.tmpl%>",
                  "hello vm1\n");
    assert_render("<%include: nested.tmpl%>", "hello vm1\n");
    /* The file name is expanded and trimmed. */
    assert_render("<%include: <%inc%>.tmpl %>", "hello vm1\n");
}

static void test_include_sees_variables(void **state)
{
    (void)state;
    assert_render("<%for: v=1 2%><%include: showv.tmpl%><%end:%>", "[1][2]");
    assert_render("<%include: showv.tmpl%>", "[resource-v]");
}

static void test_include_set_stays_local(void **state)
{
    (void)state;
    assert_render("<%include: setter.tmpl%> <%s%>", "inner resource-s");
}

static void test_include_depth(void **state)
{
    (void)state;
    /* 16 levels of include are fine... */
    fctx.chain_limit = 16;
    assert_render("<%include: chain1%>", "12345678910111213141516");
    /* ...17 are not. */
    fctx.chain_limit = 17;
    assert_error("<%include: chain1%>",
                 "chain16:1: cannot include 'chain17': includes nested more "
                 "than 16 deep (recursive <%include:%>?)");
}

static void test_include_recursion(void **state)
{
    (void)state;
    assert_error("\n<%include: self.tmpl%>",
                 "self.tmpl:1: cannot include 'self.tmpl': includes nested "
                 "more than 16 deep (recursive <%include:%>?)");
    assert_error("<%include: ping.tmpl%>",
                 "pong.tmpl:1: cannot include 'ping.tmpl': includes nested "
                 "more than 16 deep (recursive <%include:%>?)");
}

static void test_include_errors_name_included_file(void **state)
{
    (void)state;
    assert_error("a\n<%include: badres.tmpl%>",
                 "badres.tmpl:3: unknown resource 'nosuch'");
    assert_error("<%include: badsyntax.tmpl%>",
                 "badsyntax.tmpl:2: unclosed <%if:%>");
    assert_error("<%include: perl.tmpl%>",
                 "perl.tmpl:2: <%perl:%> is not supported (templates cannot "
                 "run code)");
    assert_error("<%include: deep.tmpl%>",
                 "badres.tmpl:3: unknown resource 'nosuch'");
}

static void test_include_failures(void **state)
{
    (void)state;
    assert_error("\n\n<%include: missing.tmpl%>",
                 "t.tmpl:3: cannot include 'missing.tmpl': no such template");
    assert_error("<%include: silent.tmpl%>",
                 "t.tmpl:1: cannot include 'silent.tmpl': failed");
    assert_error("<%include: <%empty%> %>",
                 "t.tmpl:1: <%include:%> needs a file name");
    assert_error_env(&env_noinc, "<%include: hello.tmpl%>",
                     "t.tmpl:1: cannot include 'hello.tmpl': includes are "
                     "not available");
    assert_error("<%include: <%nosuch%>%>",
                 "t.tmpl:1: unknown resource 'nosuch'");
}

/* ---- refused code ---- */

static void test_perl_shell_refused(void **state)
{
    (void)state;
    assert_error("<%perl: print 1%>",
                 "t.tmpl:1: <%perl:%> is not supported (templates cannot run "
                 "code)");
    assert_error("a\n<%shell: rm -rf /%>",
                 "t.tmpl:2: <%shell:%> is not supported (templates cannot run "
                 "code)");
    assert_error("<%perl:%>",
                 "t.tmpl:1: <%perl:%> is not supported (templates cannot run "
                 "code)");
}

static void test_refused_even_when_not_taken(void **state)
{
    (void)state;
    assert_error("<%if: <%disabled%>%>\n<%shell: id%>\n<%end:%>",
                 "t.tmpl:2: <%shell:%> is not supported (templates cannot run "
                 "code)");
    assert_error("<%for: v=%><%perl: 1%><%end:%>",
                 "t.tmpl:1: <%perl:%> is not supported (templates cannot run "
                 "code)");
}

/* ---- syntax errors ---- */

static void test_else_without_if(void **state)
{
    (void)state;
    assert_error("a\n<%else:%>",
                 "t.tmpl:2: <%else:%> without <%if:%> or <%ifdef:%>");
    /* An else directly in a loop has no if to belong to. */
    assert_error("<%for: v=a%>\nx<%else:%>y<%end:%>",
                 "t.tmpl:2: <%else:%> without <%if:%> or <%ifdef:%>");
    assert_error("<%name<%else:%>%>",
                 "t.tmpl:1: <%else:%> without <%if:%> or <%ifdef:%>");
}

static void test_second_else(void **state)
{
    (void)state;
    assert_error("<%if: x%>\na<%else:%>\nb<%else:%>c<%end:%>",
                 "t.tmpl:3: second <%else:%> for <%if:%> at line 1");
    assert_error("\n<%ifdef: x%>a<%else:%>b<%else:%>c<%end:%>",
                 "t.tmpl:2: second <%else:%> for <%ifdef:%> at line 2");
}

static void test_end_without_opener(void **state)
{
    (void)state;
    assert_error("a\n\n<%end:%>\n",
                 "t.tmpl:3: <%end:%> without <%if:%>, <%ifdef:%> or <%for:%>");
    assert_error("<%if: x%><%end:%><%end:%>",
                 "t.tmpl:1: <%end:%> without <%if:%>, <%ifdef:%> or <%for:%>");
    assert_error("<%name<%end:%>%>",
                 "t.tmpl:1: <%end:%> without <%if:%>, <%ifdef:%> or <%for:%>");
}

static void test_else_end_take_no_argument(void **state)
{
    (void)state;
    assert_error("<%if: x%>a<%end: if%>",
                 "t.tmpl:1: <%end:%> takes no argument");
    assert_error("<%if: x%>\na<%else: x%>b<%end:%>",
                 "t.tmpl:2: <%else:%> takes no argument");
}

static void test_unclosed_blocks(void **state)
{
    (void)state;
    /* The line reported is where the block was opened. */
    assert_error("a\nb\n<%if: <%enabled%>%>\nc\nd\n",
                 "t.tmpl:3: unclosed <%if:%>");
    assert_error("<%if: x%>a<%else:%>\nb\n", "t.tmpl:1: unclosed <%if:%>");
    assert_error("\n<%ifdef: x%>", "t.tmpl:2: unclosed <%ifdef:%>");
    assert_error("<%for: v=a%>\n\n", "t.tmpl:1: unclosed <%for:%>");
    /* The innermost open block is the one reported. */
    assert_error("<%for: v=a%>\n<%if: x%>\n<%end:%>\n<%if: y%>\n",
                 "t.tmpl:4: unclosed <%if:%>");
}

static void test_unterminated_directive(void **state)
{
    (void)state;
    assert_error("abc\n  <%name",
                 "t.tmpl:2: unterminated <% (no matching %>)");
    assert_error("<%", "t.tmpl:1: unterminated <% (no matching %>)");
    assert_error("<%if: x\n\n", "t.tmpl:1: unterminated <% (no matching %>)");
    /* The innermost unterminated directive is reported. */
    assert_error("<%a\n<%b", "t.tmpl:2: unterminated <% (no matching %>)");
    assert_error("<%include: x", "t.tmpl:1: unterminated <% (no matching %>)");
    assert_error("<%if: x%>\n<%end: ",
                 "t.tmpl:2: unterminated <% (no matching %>)");
}

static void test_unknown_directive(void **state)
{
    (void)state;
    assert_error("\n<%frob: x%>", "t.tmpl:2: unknown directive <%frob:%>");
    assert_error("<%IF: x%>a<%end:%>", "t.tmpl:1: unknown directive <%IF:%>");
    assert_error("<%elsif: x%>", "t.tmpl:1: unknown directive <%elsif:%>");
}

static void test_bad_for(void **state)
{
    (void)state;
    assert_error("a\n<%for: v a b%>x<%end:%>",
                 "t.tmpl:2: bad <%for:%>: expected <%for: VAR=LIST%>");
    assert_error("<%for: %>x<%end:%>",
                 "t.tmpl:1: bad <%for:%>: expected <%for: VAR=LIST%>");
    assert_error("<%for: <%name%>=a%>x<%end:%>",
                 "t.tmpl:1: bad <%for:%>: expected <%for: VAR=LIST%>");
    assert_error("<%for: 1x=a%>x<%end:%>",
                 "t.tmpl:1: bad variable name '1x' in <%for:%> (letters and _ only)");
    assert_error("<%for: my-var = a%>x<%end:%>",
                 "t.tmpl:1: bad variable name 'my-var' in <%for:%> (letters and _ only)");
    assert_error("<%for: =a%>x<%end:%>",
                 "t.tmpl:1: bad variable name '' in <%for:%> (letters and _ only)");
    assert_error("<%for: a b=c%>x<%end:%>",
                 "t.tmpl:1: bad variable name 'a b' in <%for:%> (letters and _ only)");
}

static void test_bad_set(void **state)
{
    (void)state;
    assert_error("\n\n<%set: x%>",
                 "t.tmpl:3: bad <%set:%>: expected <%set: VAR=VALUE%>");
    assert_error("<%set: a.b=1%>",
                 "t.tmpl:1: bad variable name 'a.b' in <%set:%> (letters, digits and _ only)");
    assert_error("<%set: =1%>",
                 "t.tmpl:1: bad variable name '' in <%set:%> (letters, digits and _ only)");
    assert_render("<%set: _A9=ok%><%_A9%>", "ok");
}

static void test_syntax_errors_in_untaken_branches(void **state)
{
    (void)state;
    assert_error("<%if: <%disabled%>%><%for: 1=x%><%end:%><%end:%>",
                 "t.tmpl:1: bad variable name '1' in <%for:%> (letters and _ only)");
    assert_error("<%if: <%disabled%>%>\n<%frob:%>\n<%end:%>",
                 "t.tmpl:2: unknown directive <%frob:%>");
}

static void test_comment_errors(void **state)
{
    (void)state;
    assert_error("a\n<%/*%>\nnever closed\n",
                 "t.tmpl:2: unclosed comment <%/*%>");
    assert_error("\n<%*/%>", "t.tmpl:2: <%*/%> without <%/*%>");
}

static void test_nesting_limit(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    for (int i = 0; i < 150; i++)
        buf_adds(&b, "<%if: x%>");
    char *err = render_env_err(&env, buf_str(&b));
    assert_string_equal(err, "t.tmpl:1: directives nested more than 100 deep");
    free(err);
    buf_free(&b);

    /* 100 levels are fine. */
    for (int i = 0; i < 100; i++)
        buf_adds(&b, "<%if: x%>");
    buf_adds(&b, "deep");
    for (int i = 0; i < 100; i++)
        buf_adds(&b, "<%end:%>");
    char *out = render_env_ok(&env, buf_str(&b));
    assert_string_equal(out, "deep");
    free(out);
    buf_free(&b);
}

static void test_err_replaced(void **state)
{
    (void)state;
    /* A message already in *err is replaced, not leaked. */
    char *out = NULL, *err = xstrdup("old");
    assert_int_equal(tmpl_render("<%nosuch%>", "t.tmpl", &env, &out, &err),
                     -1);
    assert_string_equal(err, "t.tmpl:1: unknown resource 'nosuch'");
    free(err);
}

/* ---- where LCFG::Template decides (its scanner, parser and evaluator as
 * ported in sjquinney/Xenon lib/Xenon/File/LCFG.pm) ---- */

/* Its scanner allows blanks after "<%", around a keyword's colon and
 * around the marks \ { } slash-star and star-slash. */
static void test_whitespace_inside_tags(void **state)
{
    (void)state;
    assert_render("<% if : <%enabled%> %>on<% else : %>off<% end : %>", "on");
    assert_render("<%\n\tifdef\t:\tname\n%>d<%\nend\n:\n%>", "d");
    assert_render("<% for : v = a b %>[<%v%>]<% end :%>", "[a][b]");
    assert_render("<% set : x = 1%><% x %>", "1");
    assert_render("<% include : hello.tmpl %>", "hello vm1\n");
    assert_render("a<% \\ %>  \n  b", "ab");
    assert_render("a<% /* %>gone<% */ %>b", "ab");
    assert_render("a<% { %>b<% } %>c", "abc");
    assert_render("<%include: spaced.tmpl%>", "on");
    /* Blanks inside a keyword or a mark make a name, which is invalid. */
    assert_error("<%i f: x%>", "t.tmpl:1: invalid resource name 'i f: x'");
    assert_error("<%/ *%>", "t.tmpl:1: invalid resource name '/ *'");
    assert_error("<%if : x%>", "t.tmpl:1: unclosed <%if:%>");
    assert_error("<% perl : 1%>",
                 "t.tmpl:1: <%perl:%> is not supported (templates cannot run "
                 "code)");
    /* Line numbers count the newlines inside tags. */
    assert_error("<%\nif\n:\nx\n%>\n<%nosuch%><%end:%>",
                 "t.tmpl:6: unknown resource 'nosuch'");
}

/* <%{%> ... <%}%>: its text is written like any other (LCFG::Template
 * leaves it out only of a "skip" rendering this component does not
 * make). Skip blocks nest and must balance. */
static void test_skip_block(void **state)
{
    (void)state;
    assert_render("a<%{%>b<%name%><%}%>c", "abvm1c");
    assert_render("<%{%><%{%>x<%}%>y<%}%>", "xy");
    assert_render("<%for: v=1 2%><%{%><%v%><%}%>,<%end:%>", "1,2,");
    assert_render("<%if: <%disabled%>%><%{%>x<%}%><%else:%>y<%end:%>", "y");
    assert_render("<%{%><%if: <%enabled%>%>x<%end:%><%}%>", "x");
    assert_error("a\n<%{%>b", "t.tmpl:2: unclosed <%{%>");
    assert_error("a\n<%}%>", "t.tmpl:2: <%}%> without <%{%>");
    /* Blocks must nest: an <%end:%> cannot close a skip's enclosing if. */
    assert_error("<%if: x%>\n<%{%><%end:%><%}%>", "t.tmpl:2: unclosed <%{%>");
    assert_error("<%{%>\n<%if: x%><%}%><%end:%>",
                 "t.tmpl:2: unclosed <%if:%>");
    assert_error("<%{%>\n<%end:%><%}%>",
                 "t.tmpl:2: <%end:%> without <%if:%>, <%ifdef:%> or <%for:%>");
}

/* LCFG::Template looks a name up in the file's <%set:%> table before the
 * loop bindings, so a set variable hides a loop variable of its name. */
static void test_set_shadows_loop_variable(void **state)
{
    (void)state;
    assert_render("<%set: v=set%><%for: v=1 2%><%v%> <%end:%><%v%>",
                  "set set set");
    /* A set inside the loop: the loop's word until then, the set after. */
    assert_render("<%for: v=1 2%><%v%><%set: v=<%v%>!%>:<%v%> <%end:%>",
                  "1:1! 1!:1!! ");
    /* Nested loops: the inner binding hides the outer one. */
    assert_render("<%for: v=1%><%for: v=2%><%v%><%end:%><%v%><%end:%>", "21");
}

/* An included file is rendered as LCFG::Template's Transform does it: the
 * loops around the <%include:%> and the resources are seen, the
 * includer's <%set:%> variables are not, and its own do not leak back. */
static void test_include_scope(void **state)
{
    (void)state;
    assert_render("<%for: v=1 2%><%include: showv.tmpl%><%end:%>", "[1][2]");
    assert_render("<%set: only=mine%><%only%><%include: showonly.tmpl%>",
                  "mine[unseen]");
    assert_render("<%for: only=loop%><%include: showonly.tmpl%><%end:%>",
                  "[loop]");
    /* A resource hidden by the includer's set is seen again. */
    assert_render("<%set: v=s%><%include: showv.tmpl%>", "[resource-v]");
    /* The included file's set hides the loop's variable, inside it only. */
    assert_render("<%for: v=1 2%><%include: setv.tmpl%><%v%><%end:%>",
                  "(inc)1(inc)2");
    assert_render("<%include: setter.tmpl%> <%s%>", "inner resource-s");
}

/* Loop variables are [a-zA-Z_]+ (LCFG::Template's check), set variables
 * whatever <%name%> can find ([a-zA-Z_0-9]+). */
static void test_variable_names(void **state)
{
    (void)state;
    assert_render("<%for: _Ab_=x%><%_Ab_%><%end:%>", "x");
    assert_error("<%for: v1=a%>x<%end:%>",
                 "t.tmpl:1: bad variable name 'v1' in <%for:%> (letters and _ only)");
    assert_error("<%for: 9=a%>x<%end:%>",
                 "t.tmpl:1: bad variable name '9' in <%for:%> (letters and _ only)");
    assert_render("<%set: v1=a%><%set: 9=b%><%v1%><%9%>", "ab");
}

/* A name, once expanded and trimmed, is [a-zA-Z_0-9]+ after an optional
 * "#"; anything else is an error where it is evaluated, and never
 * defined for <%ifdef:%>. */
static void test_resource_names(void **state)
{
    (void)state;
    assert_error("<%if: <%disabled%>%><%a b%><%end:%>x\n<%a b%>",
                 "t.tmpl:2: invalid resource name 'a b'");
    assert_error("<%memory-a%>", "t.tmpl:1: invalid resource name 'memory-a'");
    assert_error("<%#%>", "t.tmpl:1: invalid resource name '#'");
    assert_error("<%##name%>", "t.tmpl:1: invalid resource name '##name'");
    assert_error("<%<%markup%>%>",
                 "t.tmpl:1: invalid resource name '<%name%>'");
    assert_render("<%ifdef: a b%>y<%else:%>n<%end:%>", "n");
    /* The "#" may come from an expansion too. */
    assert_render("<%set: h=#%><%<%h%>name%>", "xen-1.def:10");
}

/* <%#name%> is a resource's derivation: variables have none and are
 * passed over, and an undefined resource's is "" (no error). */
static void test_derivation_of_variables_and_undefined(void **state)
{
    (void)state;
    assert_render("[<%#nosuch%>]", "[]");
    assert_render("<%for: name=x%><%name%> <%#name%><%end:%>",
                  "x xen-1.def:10");
    assert_render("<%set: guests=y%><%guests%> <%#guests%>", "y profile:12");
    assert_render("<%set: mine=y%>[<%#mine%>]", "[]");
}

/* Comments are parsed like the rest and dropped: they nest and must be
 * well formed, and nothing in them is evaluated, so what would be
 * refused or an error outside is not inside. */
static void test_comments_are_parsed(void **state)
{
    (void)state;
    assert_render("a<%/*%>b<%/*%>c<%*/%>d<%*/%>e", "ae");
    assert_render("<%/*%><%perl: 1%><%shell: id%><%frob: x%><%for: 1x=a%>"
                  "<%end:%><%set: y%><%end: x%><%a b%><%*/%>ok",
                  "ok");
    assert_render("<%/*%><%if: x%>a<%else:%>b<%end:%><%*/%>ok", "ok");
    assert_error("<%/*%>\n100%> sure<%*/%>",
                 "t.tmpl:2: unexpected %> (no matching <%)");
    assert_error("<%/*%>\n<%if: x%><%*/%>", "t.tmpl:2: unclosed <%if:%>");
    assert_error("<%/*%><%end:%><%*/%>",
                 "t.tmpl:1: <%end:%> without <%if:%>, <%ifdef:%> or <%for:%>");
    assert_error("\n<%/*%><%/*%><%*/%>", "t.tmpl:2: unclosed comment <%/*%>");
    assert_error("<%/*%><% <%*/%>ok",
                 "t.tmpl:1: <%*/%> without <%/*%>");
}

/* LCFG::Template's scanner takes any "%>" for the end of a directive:
 * outside one it is an error. There is no escape. */
static void test_stray_close(void **state)
{
    (void)state;
    assert_error("100%> sure", "t.tmpl:1: unexpected %> (no matching <%)");
    assert_error("a\n<%if: <%enabled%>%>\nb %>\n<%end:%>",
                 "t.tmpl:3: unexpected %> (no matching <%)");
    assert_error("<%name%>%>", "t.tmpl:1: unexpected %> (no matching <%)");
    /* A value may hold one: values are data. */
    assert_render("<%percent%>", "100%>");
}

/* <%perl:%> and <%shell:%> are refused wherever they could run, even in
 * a branch not taken (LCFG::Template would run them there). */
static void test_perl_shell_refused_with_blanks(void **state)
{
    (void)state;
    assert_error("\n<%\tshell\n:%>",
                 "t.tmpl:2: <%shell:%> is not supported (templates cannot run "
                 "code)");
    assert_error("<%{%><%perl : 1%><%}%>",
                 "t.tmpl:1: <%perl:%> is not supported (templates cannot run "
                 "code)");
    /* Without the colon it is a name, as in LCFG::Template. */
    assert_error("<%perl%>", "t.tmpl:1: unknown resource 'perl'");
}

/* ---- scale ---- */

static void make_many(int n)
{
    struct buf b = BUF_INIT;
    for (int i = 0; i < n; i++)
        buf_addf(&b, "%sg%d", i ? " " : "", i);
    free(many_value);
    many_value = buf_detach(&b);
}

static void test_large_loop(void **state)
{
    (void)state;
    make_many(1000);
    char *out = render_env_ok(&env,
                              "<%for: g=<%many%>%><%\\%>\n"
                              "<%g%> <%name%><%if: <%enabled%>%> on<%end:%>\n"
                              "<%end:%>");
    /* 10 of g0..g9, 90 of g10..g99, 900 of g100..g999, each + " vm1 on\n" */
    assert_int_equal(strlen(out), 10 * 2 + 90 * 3 + 900 * 4 + 1000 * 8);
    assert_true(strncmp(out, "g0 vm1 on\ng1 vm1 on\n", 20) == 0);
    assert_true(str_ends_with(out, "g999 vm1 on\n"));
    free(out);

    /* A million body runs stay quick: nothing is reparsed or recopied. */
    out = render_env_ok(&env, "<%for: a=<%many%>%><%for: b=<%many%>%>."
                              "<%end:%><%end:%>");
    assert_int_equal(strlen(out), 1000 * 1000);
    free(out);
    free(many_value);
    many_value = NULL;
}

static void test_large_input(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    for (int i = 0; i < 100000; i++)
        buf_adds(&b, "<%name%> <%#name%>\n");
    char *out = render_env_ok(&env, buf_str(&b));
    assert_int_equal(strlen(out), 100000 * strlen("vm1 xen-1.def:10\n"));
    free(out);

    /* Line numbers stay right far into a big file. */
    buf_adds(&b, "<%nosuch%>");
    char *err = render_env_err(&env, buf_str(&b));
    assert_string_equal(err, "t.tmpl:100001: unknown resource 'nosuch'");
    free(err);
    buf_free(&b);
}

/* ---- a realistic template ---- */

static void test_guest_config(void **state)
{
    (void)state;
    const char *tmpl =
        "<%/*%> Xen guest config, rendered per guest <%*/%><%\\%>\n"
        "name = \"<%name%>\"\n"
        "<%set: mem=<%memory_<%key%>%>%><%\\%>\n"
        "<%ifdef: memory_<%key%>%>memory = <%mem%>\n<%end:%><%\\%>\n"
        "disks = [<%for: d=<%disks_a%>%>'<%d%>',<%end:%>]\n"
        "<%if: <%disabled%>%>on_crash = \"restart\"\n<%end:%><%\\%>\n"
        "# <%#name%>\n";
    /* key is "na": memory_na is undefined, so the set fails. */
    assert_error(tmpl, "t.tmpl:3: unknown resource 'memory_na'");

    const char *tmpl2 =
        "<%/*%> Xen guest config <%*/%><%\\%>\n"
        "name = \"<%name%>\"\n"
        "<%for: g=<%guests%>%><%\\%>\n"
        "<%set: mem=<%memory_<%g%>%>%><%\\%>\n"
        "<%if: <%disks_<%g%>%>%><%g%>: <%mem%> [<%\\%>\n"
        "<%for: d=<%disks_<%g%>%>%>'<%d%>',<%end:%>]\n"
        "<%end:%><%\\%>\n"
        "<%end:%><%\\%>\n"
        "last mem <%mem%>\n";
    assert_render(tmpl2,
                  "name = \"vm1\"\n"
                  "a: 512 ['d1','d2',]\n"
                  "c: 2048 ['d3',]\n"
                  "last mem 2048\n");
}

/* A value that doubles on every turn of a loop stops at 16 MB with an
 * error, not at the end of memory (found by fuzzing). */
static void test_runaway_growth_is_an_error(void **state)
{
    (void)state;
    assert_error("<%set: x=ab%>\n<%for: i=1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25%>"
                 "<%set: x=<%x%><%x%>%><%end:%><%x%>",
                 "t.tmpl:2: the output grows beyond 16 MB (a runaway <%for:%> or <%set:%>?)");
}

/* A template parsed once renders any number of times, independent of the
 * text it was parsed from; a syntax error is found by the parse. */
static void test_parse_once_eval_many(void **state)
{
    (void)state;
    char *text = xstrdup("<%for: v=a b%>[<%v%>:<%name%>]<%end:%>\n");
    struct tmpl *t = NULL;
    char *err = NULL, *out = NULL;
    assert_int_equal(tmpl_parse(text, "p.tmpl", &t, &err), 0);
    memset(text, 'x', strlen(text)); /* the parse must not depend on it */
    free(text);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(tmpl_eval(t, &env, &out, &err), 0);
        assert_string_equal(out, "[a:vm1][b:vm1]\n");
        free(out);
    }
    tmpl_free(t);
    assert_int_equal(tmpl_parse("x\n<%if: y%>", "p.tmpl", &t, &err), -1);
    assert_string_equal(err, "p.tmpl:2: unclosed <%if:%>");
    free(err);
    err = NULL;
    assert_int_equal(tmpl_parse("<%nosuch%>", "p.tmpl", &t, &err), 0);
    assert_int_equal(tmpl_eval(t, &env, &out, &err), -1);
    assert_string_equal(err, "p.tmpl:1: unknown resource 'nosuch'");
    free(err);
    tmpl_free(t);
    tmpl_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_plain_text, setup),
        cmocka_unit_test_setup(test_resource, setup),
        cmocka_unit_test_setup(test_resource_value_not_reparsed, setup),
        cmocka_unit_test_setup(test_derivation, setup),
        cmocka_unit_test_setup(test_unknown_resource, setup),
        cmocka_unit_test_setup(test_callbacks_get_ctx, setup),
        cmocka_unit_test_setup(test_null_filename, setup),
        cmocka_unit_test_setup(test_no_lookup, setup),
        cmocka_unit_test_setup(test_if, setup),
        cmocka_unit_test_setup(test_if_truth, setup),
        cmocka_unit_test_setup(test_if_nested, setup),
        cmocka_unit_test_setup(test_if_untaken_branch_not_evaluated, setup),
        cmocka_unit_test_setup(test_ifdef, setup),
        cmocka_unit_test_setup(test_ifdef_variables, setup),
        cmocka_unit_test_setup(test_block_newlines_kept, setup),
        cmocka_unit_test_setup(test_for, setup),
        cmocka_unit_test_setup(test_for_nested, setup),
        cmocka_unit_test_setup(test_for_dynamic_name, setup),
        cmocka_unit_test_setup(test_block_inside_name, setup),
        cmocka_unit_test_setup(test_if_inside_for, setup),
        cmocka_unit_test_setup(test_for_variable_shadows_resource, setup),
        cmocka_unit_test_setup(test_for_unknown_in_body_stops, setup),
        cmocka_unit_test_setup(test_set, setup),
        cmocka_unit_test_setup(test_set_shadows_resource, setup),
        cmocka_unit_test_setup(test_set_reassign, setup),
        cmocka_unit_test_setup(test_set_in_loop, setup),
        cmocka_unit_test_setup(test_set_used_as_list, setup),
        cmocka_unit_test_setup(test_comment, setup),
        cmocka_unit_test_setup(test_comment_keeps_line_numbers, setup),
        cmocka_unit_test_setup(test_swallow, setup),
        cmocka_unit_test_setup(test_swallow_keeps_line_numbers, setup),
        cmocka_unit_test_setup(test_include, setup),
        cmocka_unit_test_setup(test_include_sees_variables, setup),
        cmocka_unit_test_setup(test_include_set_stays_local, setup),
        cmocka_unit_test_setup(test_include_depth, setup),
        cmocka_unit_test_setup(test_include_recursion, setup),
        cmocka_unit_test_setup(test_include_errors_name_included_file, setup),
        cmocka_unit_test_setup(test_include_failures, setup),
        cmocka_unit_test_setup(test_perl_shell_refused, setup),
        cmocka_unit_test_setup(test_refused_even_when_not_taken, setup),
        cmocka_unit_test_setup(test_else_without_if, setup),
        cmocka_unit_test_setup(test_second_else, setup),
        cmocka_unit_test_setup(test_end_without_opener, setup),
        cmocka_unit_test_setup(test_else_end_take_no_argument, setup),
        cmocka_unit_test_setup(test_unclosed_blocks, setup),
        cmocka_unit_test_setup(test_unterminated_directive, setup),
        cmocka_unit_test_setup(test_unknown_directive, setup),
        cmocka_unit_test_setup(test_bad_for, setup),
        cmocka_unit_test_setup(test_bad_set, setup),
        cmocka_unit_test_setup(test_syntax_errors_in_untaken_branches, setup),
        cmocka_unit_test_setup(test_comment_errors, setup),
        cmocka_unit_test_setup(test_nesting_limit, setup),
        cmocka_unit_test_setup(test_err_replaced, setup),
        cmocka_unit_test_setup(test_whitespace_inside_tags, setup),
        cmocka_unit_test_setup(test_skip_block, setup),
        cmocka_unit_test_setup(test_set_shadows_loop_variable, setup),
        cmocka_unit_test_setup(test_include_scope, setup),
        cmocka_unit_test_setup(test_variable_names, setup),
        cmocka_unit_test_setup(test_resource_names, setup),
        cmocka_unit_test_setup(test_derivation_of_variables_and_undefined, setup),
        cmocka_unit_test_setup(test_comments_are_parsed, setup),
        cmocka_unit_test_setup(test_stray_close, setup),
        cmocka_unit_test_setup(test_perl_shell_refused_with_blanks, setup),
        cmocka_unit_test_setup(test_large_loop, setup),
        cmocka_unit_test_setup(test_large_input, setup),
        cmocka_unit_test_setup(test_guest_config, setup),
        cmocka_unit_test_setup(test_parse_once_eval_many, setup),
        cmocka_unit_test_setup(test_runaway_growth_is_an_error, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
