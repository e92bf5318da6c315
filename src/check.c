/* check.c: value syntax checks (see check.h). Deliberately allow-lists:
 * anything not known to be safe in a file name, an xl config string or a
 * command line argument is refused. */
#include "check.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_alnum(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* A table: UUIDs and MACs are checked digit by digit for every guest on
 * every run. */
static const unsigned char hex_digit[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
};

static bool is_hex(char c)
{
    return hex_digit[(unsigned char)c];
}

bool check_host_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 253 || !is_alnum(s[0]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_alnum(s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
            return false;
    return true;
}

bool check_guest_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64 || !is_alnum(s[0]))
        return false;
    bool digits = true;
    for (size_t i = 0; i < n; i++) {
        if (!is_alnum(s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
            return false;
        if (s[i] < '0' || s[i] > '9')
            digits = false;
    }
    return !digits;
}

bool check_tag(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!is_alnum(*s) && *s != '_')
            return false;
    return true;
}

bool check_uuid(const char *s)
{
    /* 8-4-4-4-12: hyphens at 8, 13, 18 and 23, 36 characters in all. */
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !is_hex(s[i]))
            return false; /* also at an early NUL, which is neither */
    }
    return s[36] == '\0';
}

bool check_mac(const char *s)
{
    for (int i = 0; i < 6; i++) {
        if (!is_hex(s[0]) || !is_hex(s[1]))
            return false;
        s += 2;
        if (i < 5 && *s++ != ':')
            return false;
    }
    return *s == '\0';
}

bool check_mac_unicast(const char *s)
{
    char c = s[1];
    int v = (c >= '0' && c <= '9') ? c - '0' : ((c | 0x20) - 'a' + 10);
    return (v & 1) == 0;
}

bool check_ifname(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 15)
        return false;
    for (; *s; s++)
        if (!is_alnum(*s) && *s != '_' && *s != '.' && *s != '-')
            return false;
    return true;
}

bool check_filename(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 128 || !is_alnum(s[0]) || strstr(s, ".."))
        return false;
    for (; *s; s++)
        if (!is_alnum(*s) && *s != '_' && *s != '.' && *s != '-')
            return false;
    return true;
}

const char *check_path(const char *s)
{
    if (s[0] != '/')
        return "is not an absolute path";
    if (strlen(s) > 1024)
        return "is longer than 1024 characters";
    for (const char *p = s; *p; p++)
        if (!is_alnum(*p) && !strchr("/_.+@~-", *p))
            return "contains a character other than letters, digits and / _ . + @ ~ -";
    for (const char *p = s; *p;) {
        while (*p == '/')
            p++;
        size_t len = strcspn(p, "/");
        if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
            return "contains a '.' or '..' component";
        p += len;
    }
    return NULL;
}

bool check_vgname(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 127 || s[0] == '-' || !strcmp(s, ".") || !strcmp(s, ".."))
        return false;
    for (; *s; s++)
        if (!is_alnum(*s) && !strchr("+_.-", *s))
            return false;
    return true;
}

bool check_safe_text(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\'' || c == '\\')
            return false;
    }
    return true;
}

bool check_boolean(const char *s, const char **canonical)
{
    static const char *const yes[] = { "yes", "true", "on", "1" };
    static const char *const no[] = { "", "no", "false", "off", "0" };
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        if (!strcasecmp(s, yes[i])) {
            *canonical = "yes";
            return true;
        }
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        if (!strcasecmp(s, no[i])) {
            *canonical = "";
            return true;
        }
    return false;
}

bool check_ipv4(const char *s)
{
    const char *p = s;
    for (int i = 0; i < 4; i++) {
        size_t n = strspn(p, "0123456789");
        if (n < 1 || n > 3 || (n > 1 && p[0] == '0') || strtoul(p, NULL, 10) > 255)
            return false;
        p += n;
        if (i < 3 && *p++ != '.')
            return false;
    }
    return *p == '\0';
}

bool check_ipv4_list(const char *s, size_t max, size_t *count)
{
    *count = 0;
    for (const char *p = s;;) {
        size_t n = strcspn(p, " ");
        char a[16];
        if (n == 0 || n >= sizeof(a) || ++*count > max)
            return false;
        memcpy(a, p, n);
        a[n] = '\0';
        if (!check_ipv4(a))
            return false;
        if (!p[n])
            return true;
        p += n + 1;
    }
}

/* Digits (at most 12, not all zero); past them in *end. */
static bool positive(const char *p, const char **end)
{
    size_t n = strspn(p, "0123456789");
    *end = p + n;
    return n >= 1 && n <= 12 && strspn(p, "0") < n;
}

bool check_vif_rate(const char *s)
{
    const char *p;
    if (!positive(s, &p))
        return false;
    static const char *const units[] = { "GB", "MB", "KB", "Gb", "Mb", "Kb", "B", "b" };
    for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++)
        if (!strncmp(p, units[u], strlen(units[u]))) {
            p += strlen(units[u]);
            break;
        }
    if (strncmp(p, "/s", 2))
        return false;
    p += 2;
    if (!*p)
        return true;
    if (*p != '@' || !positive(p + 1, &p))
        return false;
    return !*p || !strcmp(p, "s") || !strcmp(p, "ms") || !strcmp(p, "us");
}
