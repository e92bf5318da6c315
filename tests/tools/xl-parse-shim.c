/* xl-parse-shim.c: an LD_PRELOAD library that lets the real xl 4.17 parse a
 * guest config (xl create -n) on a machine that is not a Xen dom0. xl opens
 * its libxenctrl and libxenstore handles and asks a few questions about
 * the host before it parses; these answers stand in for a small host.
 * Test use only. */
#include <string.h>

#include <xenctrl.h>
#include <xenstore.h>
#include <xen/version.h>

#define FAKE ((void *)0x1)

xc_interface *xc_interface_open(xentoollog_logger *logger, xentoollog_logger *dombuild_logger,
                                unsigned flags)
{
    (void)logger, (void)dombuild_logger, (void)flags;
    return FAKE;
}

int xc_interface_close(xc_interface *xch)
{
    (void)xch;
    return 0;
}

struct xs_handle *xs_open(unsigned long flags)
{
    (void)flags;
    return FAKE;
}

void xs_close(struct xs_handle *h)
{
    (void)h;
}

int xc_get_max_cpus(xc_interface *xch)
{
    (void)xch;
    return 4;
}

int xc_get_online_cpus(xc_interface *xch)
{
    (void)xch;
    return 4;
}

int xc_get_max_nodes(xc_interface *xch)
{
    (void)xch;
    return 1;
}

int xc_physinfo(xc_interface *xch, xc_physinfo_t *info)
{
    (void)xch;
    memset(info, 0, sizeof(*info));
    info->nr_cpus = 4;
    info->max_cpu_id = 3;
    info->nr_nodes = 1;
    info->threads_per_core = 1;
    info->cores_per_socket = 4;
    info->total_pages = 1u << 21; /* 8 GiB */
    info->free_pages = 1u << 20;
    info->capabilities = XEN_SYSCTL_PHYSCAP_pv | XEN_SYSCTL_PHYSCAP_hvm;
    return 0;
}

int xc_version(xc_interface *xch, int cmd, void *arg)
{
    (void)xch;
    switch (cmd) {
    case XENVER_version:
        return (4 << 16) | 17;
    case XENVER_extraversion:
        strcpy(arg, ".0-shim");
        return 0;
    case XENVER_compile_info:
        memset(arg, 0, sizeof(xen_compile_info_t));
        return 0;
    case XENVER_capabilities:
        strcpy(arg, "xen-3.0-x86_64 hvm-3.0-x86_64");
        return 0;
    case XENVER_changeset:
        strcpy(arg, "shim");
        return 0;
    case XENVER_platform_parameters:
        memset(arg, 0, sizeof(xen_platform_parameters_t));
        return 0;
    case XENVER_pagesize:
        return 4096;
    case XENVER_commandline:
        strcpy(arg, "");
        return 0;
    default:
        return -1;
    }
}

long xc_sharing_freed_pages(xc_interface *xch)
{
    (void)xch;
    return 0;
}

long xc_sharing_used_frames(xc_interface *xch)
{
    (void)xch;
    return 0;
}
