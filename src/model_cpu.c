/* model_cpu.c: a guest's firmware and HVM boot order, its CPU placement,
 * and the host's CPU pools (see model_impl.h).
 *
 * What xl 4.17 accepts (tools/xl/xl_parse.c, parse_config_data): for PV
 * and PVH guests "firmware" may only be pvgrub32 or pvgrub64 (xl loads
 * XENFIRMWAREDIR/<name>.bin, which Debian does not ship: the component
 * boots grub-xen's images as the kernel instead), and a kernel, a
 * bootloader or a firmware is required; "bootloader" is read for PV and
 * PVH alike. For HVM, firmware bios or uefi (OVMF). cpus and cpus_soft are
 * CPU lists, cpu_weight and cap numbers, pool a cpupool's name. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "cpulist.h"
#include "model_impl.h"

#define MAX_WEIGHT 65535ULL

static const char *const firmwares[] = { "pvgrub32", "pvgrub64", "pvh-grub", "bios", "uefi" };
static const char *const schedulers[] = { "credit2", "credit", "rtds", "null" };

/* The firmware values each type takes, for messages. */
static const char *firmwares_of(enum guest_type t)
{
    return t == GUEST_PV ? "type pv takes pvgrub32 or pvgrub64"
         : t == GUEST_PVH ? "type pvh takes pvh-grub"
         : "type hvm takes bios or uefi";
}

static bool firmware_fits(enum firmware f, enum guest_type t)
{
    switch (f) {
    case FW_PVGRUB32:
    case FW_PVGRUB64:
        return t == GUEST_PV;
    case FW_PVHGRUB:
        return t == GUEST_PVH;
    case FW_BIOS:
    case FW_UEFI:
        return t == GUEST_HVM;
    default:
        return true;
    }
}

void model_check_boot(struct host *h, struct guest *g, struct errlist *errs)
{
    struct where w = { errs, g, NULL };
    const char **r = g->res;
    bool xm = !strcmp(h->res[HF_format], "xm");
    g->firmware = FW_NONE;
    if (!str_empty(r[GF_firmware])) {
        int f = model_get_enum(&w, GF_firmware, r[GF_firmware], firmwares, ARRAY_SIZE(firmwares),
                         "firmware");
        if (f >= 0) {
            enum firmware fw = (enum firmware)(f + 1);
            if (xm)
                model_bad(&w, GF_firmware, r[GF_firmware], "needs the xl format");
            else if (!firmware_fits(fw, g->type))
                model_bad(&w, GF_firmware, r[GF_firmware], "is not a firmware of type %s (%s)",
                    guest_type_name(g->type), firmwares_of(g->type));
            else if (!str_empty(r[GF_kernel]))
                model_bad(&w, GF_firmware, r[GF_firmware], "is set as well as kernel_%s (choose one)",
                    g->tag);
            else if (!str_empty(r[GF_bootloader]))
                model_bad(&w, GF_firmware, r[GF_firmware],
                    "is set as well as bootloader_%s (choose one)", g->tag);
            else
                g->firmware = fw;
        }
    }
    /* grub-xen's images, as Debian's grub-xen-host installs them. */
    static const char *const images[] = {
        [FW_PVGRUB32] = "grub-i386-xen.bin",
        [FW_PVGRUB64] = "grub-x86_64-xen.bin",
        [FW_PVHGRUB] = "grub-i386-xen_pvh.bin",
    };
    g->firmware_kernel = "";
    if (g->firmware >= FW_PVGRUB32 && g->firmware <= FW_PVHGRUB && !check_path(h->res[HF_grubxendir])) {
        const char *d = h->res[HF_grubxendir];
        size_t n = strlen(d);
        g->firmware_kernel = arena_cat(&h->strings, d, n && d[n - 1] == '/' ? "" : "/",
                                       images[g->firmware], NULL);
    }

    /* The boot order goes into qemu's -boot: each of c, d, n at most once
     * (a, the floppy, is no device of a Xen guest). */
    g->hvm_boot = r[GF_hvmboot];
    const char *b = r[GF_hvmboot];
    if (!str_empty(b)) {
        size_t n = strlen(b);
        bool ok = n <= 3 && strspn(b, "cdn") == n;
        for (size_t i = 0; ok && i < n; i++)
            ok = !strchr(b + i + 1, b[i]);
        if (!ok)
            model_bad(&w, GF_hvmboot, b, "is not a boot order (1-3 of the letters c, d, n, each once)");
        else if (g->type != GUEST_HVM)
            model_bad(&w, GF_hvmboot, b, "is only possible for type hvm");
        else if (xm)
            model_bad(&w, GF_hvmboot, b, "needs the xl format");
    }
}

/* The pool called name, or NULL. */
static const struct cpupool *find_pool(const struct host *h, const char *name)
{
    for (size_t i = 0; i < h->npools; i++)
        if (!strcmp(h->pools[i].name, name))
            return &h->pools[i];
    return NULL;
}

static void check_affinity(const struct where *w, int field, const char *v,
                           const struct cpupool *pool)
{
    struct cpuset set, pset;
    const char *why = cpulist_parse(v, true, &set);
    if (why) {
        model_bad(w, field, v, "%s", why);
        return;
    }
    /* A CPU outside the guest's pool would never run it. */
    if (pool && strcmp(v, "all") && !cpulist_parse(pool->cpus, false, &pset) &&
        !cpuset_subset(&set, &pset))
        model_bad(w, field, v, "names a CPU outside its pool %s (CPUs %s)", pool->name, pool->cpus);
}

void model_check_cpu(struct host *h, struct guest *g, struct errlist *errs)
{
    struct where w = { errs, g, NULL };
    const char **r = g->res;
    static const int fields[] = { GF_cpus, GF_cpussoft, GF_weight, GF_cap, GF_cpupool };
    g->cpu_placed = false;
    for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
        if (!str_empty(r[fields[i]]))
            g->cpu_placed = true;
    g->cpus = r[GF_cpus];
    g->cpus_soft = r[GF_cpussoft];
    g->cpupool = r[GF_cpupool];
    g->weight = g->cap = 0;
    if (!g->cpu_placed)
        return;
    if (!strcmp(h->res[HF_format], "xm")) {
        for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
            if (!str_empty(r[fields[i]]))
                model_bad(&w, fields[i], r[fields[i]], "needs the xl format");
        return;
    }

    const struct cpupool *pool = NULL;
    const char *sched = "credit2"; /* Pool-0's, Xen 4.17's default */
    if (!str_empty(g->cpupool) && strcmp(g->cpupool, "Pool-0")) {
        pool = find_pool(h, g->cpupool);
        if (!pool)
            model_bad(&w, GF_cpupool, g->cpupool, "is not a CPU pool of this host (xen.cpupools: %s%s)",
                h->res[HF_cpupools], str_empty(h->res[HF_cpupools]) ? "none; or Pool-0" : " or Pool-0");
        else
            sched = pool->sched;
    }
    if (!str_empty(g->cpus))
        check_affinity(&w, GF_cpus, g->cpus, pool);
    if (!str_empty(g->cpus_soft))
        check_affinity(&w, GF_cpussoft, g->cpus_soft, pool);

    bool weighted = !strcmp(sched, "credit2") || !strcmp(sched, "credit");
    if (!str_empty(r[GF_weight])) {
        if (!weighted)
            model_bad(&w, GF_weight, r[GF_weight], "needs a credit or credit2 pool (%s's scheduler is %s)",
                guest_pool(g), sched);
        else
            model_get_uint(&w, GF_weight, r[GF_weight], 1, MAX_WEIGHT, "", false, &g->weight);
    }
    if (!str_empty(r[GF_cap])) {
        if (!weighted)
            model_bad(&w, GF_cap, r[GF_cap], "needs a credit or credit2 pool (%s's scheduler is %s)",
                guest_pool(g), sched);
        else
            model_get_uint(&w, GF_cap, r[GF_cap], 0, 100ULL * g->maxvcpus, "percent of one CPU", false,
                     &g->cap);
    }
}

/* The pools: valid names and schedulers, CPU lists that name CPUs (never
 * CPU 0, which stays in Pool-0 with dom0), no CPU in two pools. */
void model_check_cpupools(struct host *h, struct errlist *errs)
{
    struct where w = { errs, NULL, NULL };
    const char *why = check_path(h->res[HF_grubxendir]);
    if (why)
        model_bad(&w, HF_grubxendir, h->res[HF_grubxendir], "%s", why);
    struct cpuset used;
    memset(&used, 0, sizeof(used));
    const char *owner[CPULIST_MAX] = { 0 };
    for (size_t i = 0; i < h->npools; i++) {
        struct cpupool *p = &h->pools[i];
        char *cres = str_join(schema_hlist[HL_cpupoolcpus].name, '_', p->name);
        char *sres = str_join(schema_hlist[HL_cpupoolsched].name, '_', p->name);
        if (!strcasecmp(p->name, "Pool-0") || !strcmp(p->name, "Pool_0"))
            errlist_add(errs, "resource cpupools: '%s' is Xen's own pool", p->name);
        bool sched_ok = false;
        for (size_t s = 0; s < ARRAY_SIZE(schedulers); s++)
            sched_ok |= !strcmp(p->sched, schedulers[s]);
        if (!sched_ok)
            errlist_add(errs, "resource %s: '%s' is not a scheduler (credit2, credit, rtds or null)",
                        sres, p->sched);
        struct cpuset set;
        why = str_empty(p->cpus) ? "missing (name the pool's CPUs: 2-3,6)"
                                             : cpulist_parse(p->cpus, false, &set);
        if (why && str_empty(p->cpus)) {
            errlist_add(errs, "resource %s: %s", cres, why);
        } else if (why) {
            errlist_add(errs, "resource %s: '%s' %s", cres, p->cpus, why);
        } else if (cpuset_has(&set, 0)) {
            errlist_add(errs, "resource %s: '%s' names CPU 0, which stays in Pool-0 (dom0's)",
                        cres, p->cpus);
        } else {
            unsigned c;
            if (cpuset_overlap(&set, &used, &c))
                errlist_add(errs, "resource %s: '%s' names CPU %u, which is in pool %s too", cres,
                            p->cpus, c, owner[c]);
            for (c = 0; c < CPULIST_MAX; c++)
                if (cpuset_has(&set, c) && !owner[c]) {
                    cpuset_add(&used, c);
                    owner[c] = p->name;
                }
        }
        free(cres);
        free(sres);
    }
}
