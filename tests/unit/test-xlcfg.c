/* test-xlcfg.c: the allow-list checker of rendered guest configurations
 * (src/xlcfg.c). */
#include "testutil.h"

#include "util.h"
#include "xlcfg.h"

#define XL XLCFG_XL
#define XM XLCFG_XM

/* ---- helpers ---- */

static void expect_ok(const char *text, enum xlcfg_format fmt)
{
    char *err = NULL;
    if (xlcfg_check(text, fmt, &err) != 0)
        fail_msg("refused (%s): %s\n---\n%s---", fmt == XM ? "xm" : "xl",
                 err ? err : "(no message)", text);
    assert_null(err);
}

static void expect_err(const char *text, enum xlcfg_format fmt, const char *want)
{
    char *err = NULL;
    if (xlcfg_check(text, fmt, &err) != -1)
        fail_msg("accepted (%s), wanted \"%s\":\n---\n%s---", fmt == XM ? "xm" : "xl",
                 want, text);
    assert_non_null(err);
    assert_string_equal(err, want);
    /* Messages end up in one log line. */
    assert_null(strchr(err, '\n'));
    free(err);
}

/* A config made of a valid head and one extra line (line 3). */
static void expect_line(const char *line, enum xlcfg_format fmt, const char *want)
{
    char *text = xasprintf("name = \"vm1\"\nmemory = 512\n%s\n", line);
    expect_err(text, fmt, want);
    free(text);
}

static void expect_line_ok(const char *line, enum xlcfg_format fmt)
{
    char *text = xasprintf("name = \"vm1\"\nmemory = 512\n%s\n", line);
    expect_ok(text, fmt);
    free(text);
}

/* ---- valid configurations ---- */

static const char pv_config[] =
    "# web1: written by the LCFG xen component from xen-guest.cfg.tmpl.\n"
    "# Do not edit: change the xen.*_web1 resources of the host's profile.\n"
    "name = \"web1\"\n"
    "uuid = \"6f1c4b52-8d0e-4c3a-9a57-1f2e3d4c5b6a\"\n"
    "type = \"pv\"\n"
    "memory = 512\n"
    "maxmem = 1024\n"
    "vcpus = 1\n"
    "maxvcpus = 2\n"
    "bootloader = \"pygrub\"\n"
    "disk = [\n"
    "    \"format=raw, vdev=xvda, access=rw, target=/var/lib/xen/images/web1.img\",\n"
    "    \"format=qcow2, vdev=xvdb, access=rw, target=/var/lib/xen/images/web1-2.img\",\n"
    "]\n"
    "vif = [\n"
    "    \"mac=00:16:3e:00:00:01, bridge=xenbr0, script=vif-bridge\",\n"
    "    \"mac=00:16:3e:00:00:02, bridge=xenbr1, script=vif-openvswitch\",\n"
    "]\n"
    "on_poweroff = \"destroy\"\n"
    "on_reboot = \"restart\"\n"
    "on_crash = \"restart\"\n";

static void test_xl_pv_valid(void **state)
{
    (void)state;
    expect_ok(pv_config, XL);
}

static void test_xl_pv_kernel_valid(void **state)
{
    (void)state;
    expect_ok("name = \"pv2\"\n"
              "type = \"pvh\"\n"
              "memory = 1024\n"
              "kernel = \"/boot/vmlinuz-6.1.0-xen\"\n"
              "ramdisk = \"/boot/initrd.img-6.1.0-xen\"\n"
              "cmdline = \"console=hvc0 quiet elevator=noop\"\n"
              "root = \"/dev/xvda1 ro\"\n"
              "extra = \"systemd.unit=multi-user.target\"\n"
              "disk = [ \"format=raw, vdev=xvda, access=w, backendtype=phy, target=/dev/vg0/pv2\" ]\n"
              "vif = [ \"bridge=xenbr0, script=vif-route\" ]\n"
              "on_crash = \"preserve\"\n",
              XL);
}

static void test_xl_hvm_valid(void **state)
{
    (void)state;
    expect_ok("name = 'win1'\n"
              "uuid = '0b4e7c2a-1d3f-4e5a-8b6c-7d8e9f0a1b2c'\n"
              "type = 'hvm'\n"
              "memory = 0x800\n"
              "vcpus = 2\n"
              "disk = [ \"format=raw, vdev=hda, access=rw, backendtype=qdisk, target=/dev/vg0/win1\",\n"
              "         \"format=raw, vdev=hdc, access=ro, devtype=cdrom, target=/srv/iso/win.iso\" ]\n"
              "vif = [ 'type=ioemu, model=e1000, mac=00:16:3e:00:00:02, bridge=xenbr0, "
              "script=vif-bridge, vifname=vif-win1' ]\n"
              "boot = \"dc\"\n"
              "serial = \"pty\"\n"
              "vnc = 1\n"
              "vnclisten = \"127.0.0.1\"\n"
              "sdl = 0\n"
              "on_crash = \"coredump-restart\"; on_reboot = \"soft-reset\"\n",
              XL);
}

static const char xm_config[] =
    "# old1: written by the LCFG xen component from xen-guest-xm.cfg.tmpl.\n"
    "name = \"old1\"\n"
    "uuid = \"6f1c4b52-8d0e-4c3a-9a57-1f2e3d4c5b6b\"\n"
    "memory = 256\n"
    "maxmem = 512\n"
    "vcpus = 1\n"
    "bootloader = \"/usr/bin/pygrub\"\n"
    "extra = \"console=xvc0\"\n"
    "disk = [\n"
    "    \"file:/var/lib/xen/images/old1.img,xvda,w\",\n"
    "    \"phy:/dev/vg0/old1-2,xvdb,w\",\n"
    "    \"tap:aio:/srv/xen/a.img,xvdc,w\",\n"
    "    \"tap:qcow2:/srv/xen/b.qcow2,xvdd,r\",\n"
    "    \"file:/srv/iso/debian.iso,hdc:cdrom,r\",\n"
    "]\n"
    "vif = [\n"
    "    \"mac=00:16:3e:00:00:03, bridge=xenbr0, script=vif-bridge\",\n"
    "]\n"
    "on_poweroff = \"destroy\"\n"
    "on_reboot = \"restart\"\n"
    "on_crash = \"rename-restart\"\n";

static void test_xm_valid(void **state)
{
    (void)state;
    expect_ok(xm_config, XM);
    expect_ok("name = \"old2\"\n"
              "builder = \"hvm\"\n"
              "kernel = \"/usr/lib/xen/boot/hvmloader\"\n"
              "memory = 512\n"
              "disk = [ \"phy:/dev/vg0/old2,hda,w\" ]\n"
              "vif = [ \"type=ioemu, model=rtl8139, bridge=xenbr0, script=vif-bridge\" ]\n"
              "boot = \"c\"\n"
              "vnc = 1\n"
              "vnclisten = \"0.0.0.0\"\n"
              "serial = \"pty\"\n",
              XM);
    expect_line_ok("bootloader = \"pygrub\"", XM);
    expect_line_ok("bootloader = \"/usr/lib/xen-default/bin/pygrub\"", XM);
    expect_line_ok("builder = \"linux\"", XM);
}

/* Grammar that xl (and Python) accept and the renderer may well write. */
static void test_grammar_variants(void **state)
{
    (void)state;
    /* No newline at the end. */
    expect_ok("name = \"vm1\"", XL);
    expect_ok("name = \"vm1\" # the name", XM);
    expect_ok("name=\"vm1\";memory=512;vcpus=0x2", XL);
    expect_ok("name = \"vm1\" ;\n", XL);
    expect_ok("\n\n  # indented comment\n\tname = \"vm1\"\n", XL);
    /* '#' and ';' inside strings are text. */
    expect_ok("name = \"vm1\"\ncmdline = \"a#b;c\"\n", XL);
    expect_ok("name = \"vm1\"\nextra = 'say \"hi\"'\n", XM);
    /* Lists: empty, spanning lines, comments inside, trailing comma. */
    expect_ok("name = \"vm1\"\ndisk = []\nvif = [\n]\n", XL);
    expect_ok("name = \"vm1\"\n"
              "disk = [ # first disk\n"
              "  \"format=raw, vdev=xvda, target=/a\"   # root\n"
              "  ,\n"
              "  # pci = [ \"0000:00:1f.2\" ]\n"
              "  'format=raw, vdev=xvdb, target=/b', ]\n",
              XL);
    expect_ok("name = \"vm1\"\nmemory = 0\nmaxmem = 9223372036854775807\n", XL);
}

/* Comments may hold anything a reader would see as a comment, and
 * nothing that xl or Python would read as more. */
static void test_comment_tricks(void **state)
{
    (void)state;
    /* Python ends a line at a lone CR: this would assign pci under xm. */
    expect_err("name = \"vm1\"\n# harmless\rpci = [ '0000:00:1f.2' ]\n", XM,
               "2: control character in a comment");
    expect_err("name = \"vm1\" # a\rb\n", XL, "1: control character in a comment");
    expect_err("name = \"vm1\"\ndisk = [ # \x0c\n]\n", XL, "2: control character in a comment");
    expect_ok("name = \"vm1\"\n#\ttabbed\n", XM);
    /* Python 2 refuses non-ASCII source without a coding line; xl does not. */
    expect_err("name = \"vm1\"\n# caf\xc3\xa9\n", XM,
               "2: non-ASCII character in a comment (xm reads the file as Python)");
    expect_ok("name = \"vm1\"\n# caf\xc3\xa9\n", XL);
    /* libxlutil only ends a comment at a newline. */
    expect_err("name = \"vm1\"\n# the end", XL,
               "2: comment without a newline at the end of the file");
    expect_err("name = \"vm1\" # the name", XL,
               "1: comment without a newline at the end of the file");
    expect_ok("name = \"vm1\"\n# the end", XM);
}

static void test_comments_ignored(void **state)
{
    (void)state;
    expect_ok("name = \"vm1\"\n"
              "# pci = [ \"0000:00:1f.2\" ]\n"
              "   # device_model_override = \"/tmp/qemu\"\n"
              "memory = 512 # bootloader = \"/bin/sh\"\n"
              "#name = \"again\"\n",
              XL);
}

/* ---- name is required ---- */

static void test_name_required(void **state)
{
    (void)state;
    expect_err("", XL, "1: no 'name' key");
    expect_err("# only a comment\n", XL, "1: no 'name' key");
    expect_err("# one\n\n# three\n", XM, "3: no 'name' key");
    expect_err("memory = 512\nvcpus = 1", XL, "2: no 'name' key");
    expect_err("name = \"\"\n", XL, "1: name '' is not a guest name");
}

/* ---- keys ---- */

static void test_keys_not_allowed(void **state)
{
    (void)state;
    static const char *const refused[] = {
        "pci = [ \"0000:00:1f.2\" ]",
        "iomem = [ \"fee00,1\" ]",
        "ioports = [ \"3f8-3ff\" ]",
        "irqs = [ 4 ]",
        "device_model_version = \"qemu-xen\"",
        "device_model_args = [ \"-monitor\", \"stdio\" ]",
        "device_model_user = \"root\"",
        "stubdomain_kernel = \"/tmp/k\"",
        "bootloader_args = [ \"--entry=xvda1:/tmp/k\" ]",
        "script = \"/tmp/x\"",
        "p9 = [ \"tag=h, security_model=none, path=/\" ]",
        "channel = [ \"name=x, connection=socket, path=/tmp/s\" ]",
        "firmware = \"/tmp/fw\"",
        "bios_path_override = \"/tmp/bios\"",
        "acpi_firmware = \"/tmp/acpi\"",
        "cpuid = \"host,tm=0\"",
        "rdm = \"strategy=host\"",
        "usbctrl = [ \"type=auto\" ]",
        "dtdev = [ \"/soc/x\" ]",
        "seclabel = \"system_u:system_r:domU_t\"",
        "builder = \"hvm\"",   /* xm only */
        "NAME = \"x\"",
        "_name = \"x\"",
    };
    for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
        size_t n = strcspn(refused[i], " ");
        char *want = xasprintf("3: key '%.*s' is not allowed", (int)n, refused[i]);
        expect_line(refused[i], XL, want);
        free(want);
    }
}

static void test_device_model_override(void **state)
{
    (void)state;
    expect_line("device_model_override=\"/tmp/qemu\"", XL,
                "3: key 'device_model_override' is not allowed");
    expect_line("device_model = '/tmp/qemu'", XM, "3: key 'device_model' is not allowed");
}

static void test_keys_per_format(void **state)
{
    (void)state;
    expect_line("type = \"hvm\"", XM, "3: key 'type' is not allowed");
    expect_line("cmdline = \"quiet\"", XM, "3: key 'cmdline' is not allowed");
    expect_line("maxvcpus = 2", XM, "3: key 'maxvcpus' is not allowed");
    expect_line("builder = \"hvm\"", XL, "3: key 'builder' is not allowed");
    expect_line_ok("type = \"hvm\"", XL);
    expect_line_ok("builder = \"hvm\"", XM);
}

static void test_key_twice(void **state)
{
    (void)state;
    expect_line("memory = 1024", XL, "3: key 'memory' appears twice");
    expect_err("name = \"a\"\n# again\nname = \"b\"\n", XM, "3: key 'name' appears twice");
    expect_err("name = \"a\"\ndisk = []\n\ndisk = []\n", XL, "4: key 'disk' appears twice");
}

/* A ';' ends a statement just like a newline: what follows is checked. */
static void test_second_statement_after_semicolon(void **state)
{
    (void)state;
    expect_err("name = \"vm1\"; pci = [ \"0000:00:1f.2\" ]\n", XL,
               "1: key 'pci' is not allowed");
    expect_err("name = \"vm1\"\ncmdline = \"quiet\";bootloader=\"/bin/sh\"\n", XL,
               "2: bootloader '/bin/sh' is not allowed");
    expect_err("name = \"vm1\";;\n", XL, "1: unexpected ';'");
    expect_err("; name = \"vm1\"\n", XL, "1: unexpected ';'");
}

/* ---- strings ---- */

static void test_newline_in_string(void **state)
{
    (void)state;
    /* A resource value with a newline trying to start its own statement. */
    expect_err("name = \"vm1\"\ncmdline = \"quiet\npci = [ '0000:00:1f.2' ]\n\"\n", XL,
               "2: newline in a string");
    expect_err("name = 'vm1\n'\n", XM, "1: newline in a string");
}

static void test_unterminated_string(void **state)
{
    (void)state;
    expect_err("name = \"vm1\"\n\n\n\nextra = \"abc", XL, "5: unterminated string");
    expect_err("name = 'vm1\"", XL, "1: unterminated string");
    expect_err("name = \"vm1\"\ndisk = [ \"format=raw", XL, "2: unterminated string");
}

static void test_backslash_in_string(void **state)
{
    (void)state;
    expect_err("name = \"vm1\"\nmemory = 1\nvcpus = 1\nextra = \"a\\\"b\"\n", XL,
               "4: backslash in a string");
    expect_line("cmdline = \"a\\nb\"", XL, "3: backslash in a string");
    expect_line("extra = 'x\\'", XM, "3: backslash in a string");
}

static void test_control_characters(void **state)
{
    (void)state;
    expect_line("cmdline = \"a\tb\"", XL, "3: control character in a string");
    expect_line("cmdline = \"a\rb\"", XL, "3: control character in a string");
    expect_line("cmdline = \"a\x7f\"", XL, "3: control character in a string");
    expect_line("cmdline = \"a\x1b[2J\"", XL, "3: control character in a string");
    expect_line("cmdline = \"caf\xc3\xa9\"", XL, "3: non-ASCII character in a string");
}

/* ---- statements ---- */

static void test_expected_equals(void **state)
{
    (void)state;
    expect_err("name \"vm1\"\n", XL, "1: expected '=' after 'name'");
    expect_err("name += \"vm1\"\n", XL, "1: expected '=' after 'name'");
    expect_err("name: \"vm1\"\n", XL, "1: expected '=' after 'name'");
    expect_err("name\n= \"vm1\"\n", XL, "1: expected '=' after 'name'");
}

static void test_expected_value(void **state)
{
    (void)state;
    expect_err("name =\n\"vm1\"\n", XL, "1: expected a value for 'name'");
    expect_err("name = vm1\n", XL, "1: expected a value for 'name'");
    expect_line("vcpus = -1", XL, "3: expected a value for 'vcpus'");
    expect_line("vcpus == 1", XL, "3: expected a value for 'vcpus'");
}

static void test_bad_numbers(void **state)
{
    (void)state;
    expect_line("maxmem = 512M", XL, "3: bad number '512M'");
    expect_line("maxmem = 010", XL, "3: bad number '010'");
    expect_line("maxmem = 1.5", XL, "3: bad number '1.5'");
    expect_line("maxmem = 0x", XL, "3: bad number '0x'");
    expect_line("maxmem = 0xfg", XL, "3: bad number '0xfg'");
    expect_line("maxmem = 0X10", XL, "3: bad number '0X10'");
    expect_line("maxmem = 0xFF", XL, "3: bad number '0xFF'");
    expect_line("maxmem = 9223372036854775808", XL, "3: bad number '9223372036854775808'");
    expect_line("maxmem = 0x8000000000000000", XL, "3: bad number '0x8000000000000000'");
    expect_line("maxmem = 99999999999999999999999", XL,
                "3: bad number '99999999999999999999999'");
    expect_line_ok("maxmem = 0x7fffffffffffffff", XL);
}

static void test_junk_after_value(void **state)
{
    (void)state;
    expect_err("name = \"a\" \"b\"\n", XL, "1: unexpected '\"' after the value of 'name'");
    expect_line("vcpus = 1 2", XL, "3: unexpected '2' after the value of 'vcpus'");
    expect_line("vcpus = 1, 2", XL, "3: unexpected ',' after the value of 'vcpus'");
    expect_line("disk = [] []", XL, "3: unexpected '[' after the value of 'disk'");
    expect_err("name = \"vm1\"\r\n", XL, "1: unexpected '\\r' after the value of 'name'");
}

static void test_unexpected_at_statement_start(void **state)
{
    (void)state;
    expect_err("\"name\" = \"vm1\"\n", XL, "1: unexpected '\"'");
    expect_err("name = \"vm1\"\n1x = 2\n", XL, "2: unexpected '1'");
    expect_err("name = \"vm1\"\n\r\n", XL, "2: unexpected '\\r'");
    expect_err("name = \"vm1\"\n\x01\n", XL, "2: unexpected '\\x01'");
    expect_err("\xef\xbb\xbfname = \"vm1\"\n", XL, "1: unexpected '\\xef'");
    expect_err("name = \"vm1\"\nif 1: pci = []\n", XM, "2: key 'if' is not allowed");
}

/* xm runs the file through Python: an indented statement is an error
 * there, so it is refused rather than half understood. */
static void test_xm_indentation(void **state)
{
    (void)state;
    expect_err("name = \"vm1\"\n  memory = 512\n", XM,
               "2: indented statement (xm reads the file as Python)");
    expect_err("\tname = \"vm1\"\n", XM, "1: indented statement (xm reads the file as Python)");
    expect_ok("name = \"vm1\"\n  memory = 512\n", XL);
    /* Inside brackets, after ';' and before a comment, Python allows it. */
    expect_ok("name = \"vm1\";  memory = 512\n  # note\ndisk = [\n    \"phy:/dev/sdb,xvda,w\"\n]\n",
              XM);
}

/* ---- lists ---- */

static void test_lists(void **state)
{
    (void)state;
    expect_err("name = \"vm1\"\ndisk = [\n\"format=raw, vdev=xvda, target=/a\",\n", XL,
               "2: unterminated list for 'disk'");
    expect_err("name = \"vm1\"\ndisk = [", XL, "2: unterminated list for 'disk'");
    expect_line("disk = [ [ \"x\" ] ]", XL, "3: unexpected '[' in the list for 'disk'");
    expect_line("disk = [ , ]", XL, "3: unexpected ',' in the list for 'disk'");
    expect_line("vif = [ \"bridge=xenbr0\" \"bridge=xenbr1\" ]", XL,
                "3: expected ',' or ']' in the list for 'vif'");
    expect_line("vif = [ \"bridge=xenbr0\",, ]", XL, "3: unexpected ',' in the list for 'vif'");
}

/* ---- types ---- */

static void test_types(void **state)
{
    (void)state;
    expect_err("name = \"vm1\"\nmemory = \"512\"\n", XL, "2: key 'memory' must be a number");
    expect_err("name = 42\n", XL, "1: key 'name' must be a string");
    expect_err("name = [ \"vm1\" ]\n", XL, "1: key 'name' must be a string");
    expect_line("vcpus = [ 1 ]", XL, "3: key 'vcpus' must be a number");
    expect_line("disk = \"format=raw, vdev=xvda, target=/a\"", XL,
                "3: key 'disk' must be a list of strings");
    expect_line("vif = [ \"bridge=xenbr0\",\n 7 ]", XL, "4: key 'vif' must be a list of strings");
    expect_line("vnc = \"1\"", XL, "3: key 'vnc' must be a number");
    expect_line("on_crash = 1", XM, "3: key 'on_crash' must be a string");
    expect_line("vnclisten = 127", XL, "3: key 'vnclisten' must be a string");
}

/* ---- values of single keys ---- */

static void test_bootloader(void **state)
{
    (void)state;
    expect_line("bootloader = \"/bin/sh\"", XL, "3: bootloader '/bin/sh' is not allowed");
    expect_line("bootloader = \"/bin/sh\"", XM, "3: bootloader '/bin/sh' is not allowed");
    expect_line("bootloader = \"/usr/bin/pygrub\"", XL,
                "3: bootloader '/usr/bin/pygrub' is not allowed");
    expect_line("bootloader = \"pygrub \"", XL, "3: bootloader 'pygrub ' is not allowed");
    expect_line("bootloader = \"/tmp/pygrub\"", XM, "3: bootloader '/tmp/pygrub' is not allowed");
    expect_line("bootloader = \"\"", XL, "3: bootloader '' is not allowed");
    expect_line_ok("bootloader = \"pygrub\"", XL);
}

static void test_type_builder_actions(void **state)
{
    (void)state;
    expect_line("type = \"xen\"", XL, "3: type 'xen' is not allowed");
    expect_line("type = \"PV\"", XL, "3: type 'PV' is not allowed");
    expect_line("builder = \"generic\"", XM, "3: builder 'generic' is not allowed");
    static const char *const actions[] = {
        "destroy", "restart", "rename-restart", "preserve",
        "coredump-destroy", "coredump-restart", "soft-reset",
    };
    for (size_t i = 0; i < ARRAY_SIZE(actions); i++) {
        char *line = xasprintf("on_poweroff = \"%s\"", actions[i]);
        expect_line_ok(line, XL);
        expect_line_ok(line, XM);
        free(line);
    }
    expect_line("on_reboot = \"explode\"", XL, "3: on_reboot 'explode' is not allowed");
    expect_line("on_crash = \"restart;reboot\"", XM, "3: on_crash 'restart;reboot' is not allowed");
}

static void test_name_uuid_paths(void **state)
{
    (void)state;
    expect_err("name = \"../../etc/x\"\n", XL, "1: name '../../etc/x' is not a guest name");
    expect_err("name = \"12\"\n", XL, "1: name '12' is not a guest name");
    expect_line("uuid = \"not-a-uuid\"", XL, "3: uuid 'not-a-uuid' is not a UUID");
    expect_line("kernel = \"vmlinuz\"", XL, "3: kernel 'vmlinuz' is not an absolute path");
    expect_line("ramdisk = \"/boot/../etc/shadow\"", XM,
                "3: ramdisk '/boot/../etc/shadow' contains a '.' or '..' component");
    expect_line("kernel = \"/boot/vm linuz\"", XL,
                "3: kernel '/boot/vm linuz' contains a character other than letters, "
                "digits and / _ . + @ ~ -");
}

static void test_boot_serial_vnc(void **state)
{
    (void)state;
    expect_line("boot = \"c,menu=on\"", XL,
                "3: boot 'c,menu=on' is not a boot order (1-4 of the letters a, c, d, n)");
    expect_line("boot = \"\"", XL, "3: boot '' is not a boot order (1-4 of the letters a, c, d, n)");
    expect_line("serial = \"file:/etc/shadow\"", XL, "3: serial 'file:/etc/shadow' is not allowed");
    expect_line("serial = \"/dev/ttyS0\"", XM, "3: serial '/dev/ttyS0' is not allowed");
    expect_line("vnclisten = \"0.0.0.0,password=off\"", XL,
                "3: vnclisten '0.0.0.0,password=off' is not an IPv4 address");
    expect_line("vnclisten = \"unix:/tmp/s\"", XL, "3: vnclisten 'unix:/tmp/s' is not an IPv4 address");
    expect_line("vnclisten = \"256.0.0.1\"", XL, "3: vnclisten '256.0.0.1' is not an IPv4 address");
    expect_line("vnclisten = \"10.0.0\"", XL, "3: vnclisten '10.0.0' is not an IPv4 address");
    expect_line("vnclisten = \"10.0.0.01\"", XL, "3: vnclisten '10.0.0.01' is not an IPv4 address");
    expect_line("vnc = 2", XL, "3: vnc '2' is not 0 or 1");
    expect_line("sdl = 0x1", XM, "3: sdl '0x1' is not 0 or 1");
    expect_line_ok("vnclisten = \"192.168.255.0\"", XL);
    expect_line_ok("boot = \"ncda\"", XL);
}

/* ---- xl disks ---- */

static void test_xl_disk_script(void **state)
{
    (void)state;
    expect_line("disk = [\"format=raw, vdev=xvda, access=rw, script=/tmp/x, target=/a\"]", XL,
                "3: disk 'format=raw, vdev=xvda, access=rw, script=/tmp/x, target=/a': "
                "key 'script' is not allowed");
}

static void test_xl_disk_keys(void **state)
{
    (void)state;
    expect_line("disk = [ \"vdev=xvda, backend=dom1, target=/a\" ]", XL,
                "3: disk 'vdev=xvda, backend=dom1, target=/a': key 'backend' is not allowed");
    expect_line("disk = [ \"vdev=xvda, discard, target=/a\" ]", XL,
                "3: disk 'vdev=xvda, discard, target=/a': item 'discard' is not key=value");
    expect_line("disk = [ \"phy:/dev/sdb,xvda,w\" ]", XL,
                "3: disk 'phy:/dev/sdb,xvda,w': item 'phy:/dev/sdb' is not key=value");
    expect_line("disk = [ \"vdev=xvda, vdev=xvdb, target=/a\" ]", XL,
                "3: disk 'vdev=xvda, vdev=xvdb, target=/a': key 'vdev' appears twice");
    expect_line("disk = [ \"VDEV=xvda, target=/a\" ]", XL,
                "3: disk 'VDEV=xvda, target=/a': key 'VDEV' is not allowed");
    expect_line("disk = [ \"vdev =xvda, target=/a\" ]", XL,
                "3: disk 'vdev =xvda, target=/a': key 'vdev ' is not allowed");
}

static void test_xl_disk_target(void **state)
{
    (void)state;
    expect_line("disk = [ \"format=raw, vdev=xvda\" ]", XL,
                "3: disk 'format=raw, vdev=xvda': no target");
    expect_line("disk = [ \"format=raw, vdev=xvda,\" ]", XL,
                "3: disk 'format=raw, vdev=xvda,': no target");
    expect_line("disk = [ \"\" ]", XL, "3: disk '': no target");
    expect_line("disk = [ \"vdev=xvda, target=\" ]", XL, "3: disk 'vdev=xvda, target=': empty target");
    expect_line("disk = [ \"target=/a, vdev=xvda\" ]", XL,
                "3: disk 'target=/a, vdev=xvda': target must be the last item");
    expect_line("disk = [ \"vdev=xvda, target=images/a.img\" ]", XL,
                "3: disk 'vdev=xvda, target=images/a.img': target 'images/a.img' is not an absolute path");
    expect_line("disk = [ \"vdev=xvda, target=nbd:evil:10809\" ]", XL,
                "3: disk 'vdev=xvda, target=nbd:evil:10809': target 'nbd:evil:10809' is not an absolute path");
    expect_line("disk = [ \"vdev=xvda, target=/a \" ]", XL,
                "3: disk 'vdev=xvda, target=/a ': target '/a ' contains a character other than "
                "letters, digits and / _ . + @ ~ -");
    expect_line_ok("disk = [ \"  target=/dev/sdb\" ]", XL);
}

static void test_xl_disk_values(void **state)
{
    (void)state;
    expect_line("disk = [ \"format=vmdk, target=/a\" ]", XL,
                "3: disk 'format=vmdk, target=/a': format 'vmdk' is not allowed");
    expect_line("disk = [ \"format=, target=/a\" ]", XL,
                "3: disk 'format=, target=/a': format '' is not allowed");
    expect_line("disk = [ \"access=rwx, target=/a\" ]", XL,
                "3: disk 'access=rwx, target=/a': access 'rwx' is not allowed");
    expect_line("disk = [ \"devtype=floppy, target=/a\" ]", XL,
                "3: disk 'devtype=floppy, target=/a': devtype 'floppy' is not allowed");
    expect_line("disk = [ \"backendtype=nbd, target=/a\" ]", XL,
                "3: disk 'backendtype=nbd, target=/a': backendtype 'nbd' is not allowed");
    expect_line("disk = [ \"vdev=xvda/../x, target=/a\" ]", XL,
                "3: disk 'vdev=xvda/../x, target=/a': vdev 'xvda/../x' is not allowed");
    /* xl keeps blanks after an item in its value. */
    expect_line("disk = [ \"format=raw , target=/a\" ]", XL,
                "3: disk 'format=raw , target=/a': format 'raw ' is not allowed");
    expect_line("disk = [ \"vdev=xvda,, target=/a\" ]", XL,
                "3: disk 'vdev=xvda,, target=/a': empty item");
}

/* ---- xm disks ---- */

static void test_xm_disk(void **state)
{
    (void)state;
    expect_line("disk = [ \"format=raw, vdev=xvda, target=/a\" ]", XM,
                "3: disk 'format=raw, vdev=xvda, target=/a': prefix must be file:, phy:, tap:aio: "
                "or tap:qcow2:");
    expect_line("disk = [ \"iscsi:/x,xvda,w\" ]", XM,
                "3: disk 'iscsi:/x,xvda,w': prefix must be file:, phy:, tap:aio: or tap:qcow2:");
    expect_line("disk = [ \"tap:vhd:/x,xvda,w\" ]", XM,
                "3: disk 'tap:vhd:/x,xvda,w': prefix must be file:, phy:, tap:aio: or tap:qcow2:");
    expect_line("disk = [ \"phy:/dev/sdb,xvda\" ]", XM,
                "3: disk 'phy:/dev/sdb,xvda': expected PREFIX:PATH,VDEV,MODE");
    expect_line("disk = [ \"phy:/dev/sdb,xvda,w,x\" ]", XM,
                "3: disk 'phy:/dev/sdb,xvda,w,x': expected PREFIX:PATH,VDEV,MODE");
    expect_line("disk = [ \"phy:vg0/lv,xvda,w\" ]", XM,
                "3: disk 'phy:vg0/lv,xvda,w': path 'vg0/lv' is not an absolute path");
    expect_line("disk = [ \"file:/a,xvda,rw\" ]", XM, "3: disk 'file:/a,xvda,rw': mode 'rw' is not allowed");
    expect_line("disk = [ \"file:/a,xvda,w!\" ]", XM, "3: disk 'file:/a,xvda,w!': mode 'w!' is not allowed");
    expect_line("disk = [ \"file:/a,xv da,w\" ]", XM, "3: disk 'file:/a,xv da,w': vdev 'xv da' is not allowed");
    expect_line("disk = [ \"file:/a,ioemu:hda,w\" ]", XM,
                "3: disk 'file:/a,ioemu:hda,w': vdev 'ioemu:hda' is not allowed");
    expect_line("disk = [ \"file:/a.iso,hdc:cdrom,w\" ]", XM,
                "3: disk 'file:/a.iso,hdc:cdrom,w': a cdrom must have mode r");
    expect_line_ok("disk = [ \"file:/a.iso,hdc:cdrom,r\" ]", XM);
}

/* ---- vifs ---- */

static void test_vif_script(void **state)
{
    (void)state;
    expect_line("vif = [\"mac=00:16:3e:00:00:01, script=/tmp/evil\"]", XL,
                "3: vif 'mac=00:16:3e:00:00:01, script=/tmp/evil': script '/tmp/evil' is not allowed");
    expect_line("vif = [\"mac=00:16:3e:00:00:01, script=/tmp/evil\"]", XM,
                "3: vif 'mac=00:16:3e:00:00:01, script=/tmp/evil': script '/tmp/evil' is not allowed");
    expect_line("vif = [ \"script=/etc/xen/scripts/vif-bridge\" ]", XL,
                "3: vif 'script=/etc/xen/scripts/vif-bridge': script '/etc/xen/scripts/vif-bridge' "
                "is not allowed");
    expect_line("vif = [ \"script=vif-bridge/../../tmp/x\" ]", XL,
                "3: vif 'script=vif-bridge/../../tmp/x': script 'vif-bridge/../../tmp/x' is not allowed");
    static const char *const scripts[] = { "vif-bridge", "vif-route", "vif-nat", "vif-openvswitch" };
    for (size_t i = 0; i < ARRAY_SIZE(scripts); i++) {
        char *line = xasprintf("vif = [ \"script=%s\" ]", scripts[i]);
        expect_line_ok(line, XL);
        expect_line_ok(line, XM);
        free(line);
    }
}

static void test_vif_keys_and_values(void **state)
{
    (void)state;
    expect_line("vif = [ \"bridge=xenbr0, gatewaydev=eth0\" ]", XL,
                "3: vif 'bridge=xenbr0, gatewaydev=eth0': key 'gatewaydev' is not allowed");
    /* The options of the nics_<tag> lists (issue 17). */
    expect_line_ok("vif = [ \"script=vif-route, ip=10.0.0.1 10.0.0.2, rate=10MB/s@20ms, mtu=9000, "
                   "model=e1000, vifname=web1n1\" ]", XL);
    expect_line("vif = [ \"ip=10.0.0.256\" ]", XL,
                "3: vif 'ip=10.0.0.256': ip '10.0.0.256' is not 1-8 IPv4 addresses");
    expect_line("vif = [ \"ip=10.0.0.1  10.0.0.2\" ]", XL,
                "3: vif 'ip=10.0.0.1  10.0.0.2': ip '10.0.0.1  10.0.0.2' is not 1-8 IPv4 addresses");
    expect_line("vif = [ \"rate=10MB\" ]", XL,
                "3: vif 'rate=10MB': rate '10MB' is not a rate (RATE/s[@INTERVAL])");
    expect_line("vif = [ \"rate=0MB/s\" ]", XL,
                "3: vif 'rate=0MB/s': rate '0MB/s' is not a rate (RATE/s[@INTERVAL])");
    expect_line("vif = [ \"mtu=67\" ]", XL, "3: vif 'mtu=67': mtu '67' is not an MTU (68-65535)");
    expect_line_ok("vif = [ \"bridge=ovs0.10, script=vif-openvswitch\" ]", XL);
    expect_line("vif = [ \"backend=drv, bridge=xenbr0\" ]", XL,
                "3: vif 'backend=drv, bridge=xenbr0': key 'backend' is not allowed");
    expect_line("vif = [ \"bridge=xenbr0, bridge=xenbr1\" ]", XL,
                "3: vif 'bridge=xenbr0, bridge=xenbr1': key 'bridge' appears twice");
    expect_line("vif = [ \"xenbr0\" ]", XL, "3: vif 'xenbr0': item 'xenbr0' is not key=value");
    expect_line("vif = [ \"\" ]", XL, "3: vif '': empty item");
    expect_line("vif = [ \"bridge=xenbr0,\" ]", XL, "3: vif 'bridge=xenbr0,': empty item");
    expect_line("vif = [ \"mac=00:16:3e:00:00\" ]", XL,
                "3: vif 'mac=00:16:3e:00:00': mac '00:16:3e:00:00' is not a MAC address");
    expect_line("vif = [ \"bridge=xenbr0 \" ]", XL,
                "3: vif 'bridge=xenbr0 ': bridge 'xenbr0 ' is not an interface name");
    expect_line("vif = [ \"vifname=a-very-long-interface\" ]", XL,
                "3: vif 'vifname=a-very-long-interface': vifname 'a-very-long-interface' "
                "is not an interface name");
    expect_line("vif = [ \"type=netfront\" ]", XL, "3: vif 'type=netfront': type 'netfront' is not allowed");
    expect_line("vif = [ \"model=vfio-pci\" ]", XL, "3: vif 'model=vfio-pci': model 'vfio-pci' is not allowed");
}

/* ---- messages ---- */

static void test_long_values_shortened(void **state)
{
    (void)state;
    char *big = xmalloc(201);
    memset(big, 'x', 200);
    big[200] = '\0';
    char *line = xasprintf("bootloader = \"/%s\"", big);
    char *want = xasprintf("3: bootloader '/%.59s...' is not allowed", big);
    expect_line(line, XL, want);
    free(line);
    free(want);

    /* A key is shortened too. */
    line = xasprintf("%s = 1", big);
    want = xasprintf("3: key '%.60s...' is not allowed", big);
    expect_line(line, XL, want);
    free(line);
    free(want);

    /* Exactly 60 characters: shown whole. */
    line = xasprintf("bootloader = \"%.60s\"", big);
    want = xasprintf("3: bootloader '%.60s' is not allowed", big);
    expect_line(line, XL, want);
    free(line);
    free(want);
    free(big);
}

/* Errors in a multi-line list name the line of the item at fault. */
static void test_line_numbers(void **state)
{
    (void)state;
    char *text = xasprintf("%s", pv_config);
    char *p = strstr(text, "script=vif-openvswitch");
    assert_non_null(p);
    memcpy(p, "script=/tmp/evil_xxxxx", strlen("script=vif-openvswitch"));
    expect_err(text, XL,
               "17: vif 'mac=00:16:3e:00:00:02, bridge=xenbr1, script=/tmp/evil_xxxxx': "
               "script '/tmp/evil_xxxxx' is not allowed");
    free(text);

    expect_err("name = \"vm1\"\n"
               "disk = [\n"
               "  # comment\n"
               "\n"
               "  \"format=raw, target=/a\",\n"
               "  \"format=raw, target=/b\", \"format=raw, script=x, target=/c\"\n"
               "]\n",
               XL, "6: disk 'format=raw, script=x, target=/c': key 'script' is not allowed");
}

static void test_no_err_pointer(void **state)
{
    (void)state;
    assert_int_equal(xlcfg_check("pci = []\n", XL, NULL), -1);
    assert_int_equal(xlcfg_check("name = \"vm1\"\n", XL, NULL), 0);
}

static void test_unknown_format(void **state)
{
    (void)state;
    char *err = NULL;
    assert_int_equal(xlcfg_check("name = \"vm1\"\n", (enum xlcfg_format)7, &err), -1);
    assert_string_equal(err, "1: unknown config format 7");
    free(err);
}

/* A message replaces whatever *err held (set_error semantics). */
static void test_err_replaced(void **state)
{
    (void)state;
    char *err = xstrdup("old");
    assert_int_equal(xlcfg_check("iomem = []\n", XL, &err), -1);
    assert_string_equal(err, "1: key 'iomem' is not allowed");
    free(err);
}

/* Large input: linear, and long lists are fine. */
static void test_large_input(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    buf_adds(&b, "name = \"vm1\"\ndisk = [\n");
    for (int i = 0; i < 20000; i++)
        buf_addf(&b, "  \"format=raw, vdev=xvd%c, target=/srv/d%d.img\", # %d\n", 'a' + i % 26, i, i);
    buf_adds(&b, "]\n");
    expect_ok(buf_str(&b), XL);
    buf_adds(&b, "pci = []\n");
    expect_err(buf_str(&b), XL, "20004: key 'pci' is not allowed");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xl_pv_valid),
        cmocka_unit_test(test_xl_pv_kernel_valid),
        cmocka_unit_test(test_xl_hvm_valid),
        cmocka_unit_test(test_xm_valid),
        cmocka_unit_test(test_grammar_variants),
        cmocka_unit_test(test_comment_tricks),
        cmocka_unit_test(test_comments_ignored),
        cmocka_unit_test(test_name_required),
        cmocka_unit_test(test_keys_not_allowed),
        cmocka_unit_test(test_device_model_override),
        cmocka_unit_test(test_keys_per_format),
        cmocka_unit_test(test_key_twice),
        cmocka_unit_test(test_second_statement_after_semicolon),
        cmocka_unit_test(test_newline_in_string),
        cmocka_unit_test(test_unterminated_string),
        cmocka_unit_test(test_backslash_in_string),
        cmocka_unit_test(test_control_characters),
        cmocka_unit_test(test_expected_equals),
        cmocka_unit_test(test_expected_value),
        cmocka_unit_test(test_bad_numbers),
        cmocka_unit_test(test_junk_after_value),
        cmocka_unit_test(test_unexpected_at_statement_start),
        cmocka_unit_test(test_xm_indentation),
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_bootloader),
        cmocka_unit_test(test_type_builder_actions),
        cmocka_unit_test(test_name_uuid_paths),
        cmocka_unit_test(test_boot_serial_vnc),
        cmocka_unit_test(test_xl_disk_script),
        cmocka_unit_test(test_xl_disk_keys),
        cmocka_unit_test(test_xl_disk_target),
        cmocka_unit_test(test_xl_disk_values),
        cmocka_unit_test(test_xm_disk),
        cmocka_unit_test(test_vif_script),
        cmocka_unit_test(test_vif_keys_and_values),
        cmocka_unit_test(test_long_values_shortened),
        cmocka_unit_test(test_line_numbers),
        cmocka_unit_test(test_no_err_pointer),
        cmocka_unit_test(test_unknown_format),
        cmocka_unit_test(test_err_replaced),
        cmocka_unit_test(test_large_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
