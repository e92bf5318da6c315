/* check.c: value syntax checks (see check.h). Deliberately allow-lists:
 * anything not known to be safe in a file name, an xl config string or a
 * command line argument is refused. */
#include "check.h"

#include <string.h>
#include <strings.h>

static bool is_alnum(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
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
    static const int groups[] = { 8, 4, 4, 4, 12 };
    for (size_t g = 0; g < 5; g++) {
        for (int i = 0; i < groups[g]; i++, s++)
            if (!is_hex(*s))
                return false;
        if (g < 4 && *s++ != '-')
            return false;
    }
    return *s == '\0';
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
