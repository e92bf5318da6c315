/* mdp/options/xen-host.h: make this host a Xen host managed by the LCFG
   xen component (lcfg-xen(8)).

       #include <mdp/options/xen-host.h>

   in a host's profile adds the Xen packages and lcfg-xen to the package
   list, adds xen to profile.components (which pulls in the component's
   defaults, xen-1.def) and to the boot services, and turns on the host
   set-up: package check, GRUB booting Xen with the dom0 options, the Xen
   daemons. Guests are then added with xen.virtualmachines.

   The distribution family comes from MDP_OS (as in "#define MDP_OS sl5_64"
   before the include): Debian names (debian11, debian12, bookworm, ...),
   EL/Fedora names (el7, el8, el9, fedora, ...) and the legacy Xen 3 EL5
   names (sl5, sl5_64, el5, el5_64). Unknown or unset: Debian 12, the
   component's reference platform. Define XEN_HOST_OS_DEBIAN, XEN_HOST_OS_EL
   or XEN_HOST_OS_EL5 first to choose the family by hand.

   A Xen 3 EL5 host runs xm, which the component cannot drive: there it
   renders the guests' xm files and creates their disks, xendomains boots
   the boot guests (xen.autostart xendomains) and lcfg-grub boots Xen.

   Macros a profile may define before the include:
     XEN_DOM0_MEM       dom0 memory in MB (dom0_mem=N M,max:N M; unset: Xen's
                        default, dom0 takes what guests do not)
     XEN_DOM0_VCPUS     dom0 vcpus (dom0_max_vcpus)
     XEN_GRUB_OWNER     who makes GRUB boot Xen: component (the component's
                        own GRUB drop-in, Debian), lcfg-grub (this header
                        sets lcfg-grub's resources, the component only
                        checks) or none. Default: lcfg-grub on EL5 (the
                        seed's way), component elsewhere.
     XEN_GRUB_DEFAULT   with lcfg-grub: its default entry (EL5: 0, the
                        entry kernel-xen's install puts first; EL: saved;
                        Debian: unset, the xen package makes Xen the
                        default itself)
     XEN_GRUB_RES_DEFAULT, XEN_GRUB_RES_XENARGS
                        the names of lcfg-grub's default entry and Xen
                        hypervisor options resources (grub.default,
                        grub.xenargs: assumed, as lcfg-grub's schema was
                        not at hand), for a site whose grub component
                        (or lcfg-grub2) names them otherwise             */

#ifndef MDP_OPTIONS_XEN_HOST_H
#define MDP_OPTIONS_XEN_HOST_H

/* MDP_OS names a family: each known name maps to a number, compared in
   #if (cpp cannot compare words). */
#define XEN_OSF_debian10 1
#define XEN_OSF_debian11 1
#define XEN_OSF_debian12 1
#define XEN_OSF_debian13 1
#define XEN_OSF_bullseye 1
#define XEN_OSF_bookworm 1
#define XEN_OSF_trixie 1
#define XEN_OSF_el7 2
#define XEN_OSF_el8 2
#define XEN_OSF_el9 2
#define XEN_OSF_sl7 2
#define XEN_OSF_fedora 2
#define XEN_OSF_sl5 3
#define XEN_OSF_sl5_64 3
#define XEN_OSF_el5 3
#define XEN_OSF_el5_64 3
#define XEN_OSF_CAT(a, b) a##b
#define XEN_OSF(os) XEN_OSF_CAT(XEN_OSF_, os)

#if !defined(XEN_HOST_OS_DEBIAN) && !defined(XEN_HOST_OS_EL) && !defined(XEN_HOST_OS_EL5)
#if defined(MDP_OS) && XEN_OSF(MDP_OS) == 2
#define XEN_HOST_OS_EL
#elif defined(MDP_OS) && XEN_OSF(MDP_OS) == 3
#define XEN_HOST_OS_EL5
#else
#define XEN_HOST_OS_DEBIAN
#endif
#endif

/* XEN_GRUB_OWNER as a number, for #if: lcfg-grub reads "lcfg - grub" in
   #if, where grub, no macro, counts 0. */
#define XEN_GO_component 1
#define XEN_GO_lcfg 2
#define XEN_GO_none 3
#define XEN_GO(owner) XEN_OSF_CAT(XEN_GO_, owner)
/* N as "NM" (megabytes) on the Xen command line. */
#define XEN_MB_(n) n##M
#define XEN_MB(n) XEN_MB_(n)

#ifndef XEN_GRUB_OWNER
#if defined(XEN_HOST_OS_EL5)
#define XEN_GRUB_OWNER lcfg-grub
#else
#define XEN_GRUB_OWNER component
#endif
#endif

/* The component, its defaults, and its start at boot (lcfg-boot). */
!profile.components     mADD(xen)
!boot.services          mADD(lcfg_xen)

/* The Xen packages for the LCFG package manager, and the same list for
   the component's own check (xen.packages). */
#if defined(XEN_HOST_OS_EL5)
/* xm configs, which xendomains boots at host start (the component drives
   only xl; its xm lifecycle methods refuse, lcfg-xen(8) PLATFORMS). */
!profile.packages       mEXTRA(+xen-*-* +kernel-xen-*-* +virt-manager-*-* +lcfg-xen-*-*)
!xen.distro             mSET(el)
!xen.packages           mSET(xen kernel-xen virt-manager)
!xen.daemons            mSET(xend)
!xen.format             mSET(xm)
!xen.autostart          mSET(xendomains)
#if !defined(XEN_GRUB_DEFAULT)
#define XEN_GRUB_DEFAULT 0
#endif
#elif defined(XEN_HOST_OS_EL)
!profile.packages       mEXTRA(+xen-*-* +xen-hypervisor-*-* +xen-runtime-*-* +lcfg-xen-*-*)
!xen.distro             mSET(el)
!xen.packages           mSET(xen xen-hypervisor xen-runtime)
!xen.daemons            mSET(xenstored xenconsoled xen-init-dom0)
#if !defined(XEN_GRUB_DEFAULT)
#define XEN_GRUB_DEFAULT saved
#endif
#else
!profile.packages       mEXTRA(+xen-system-amd64-*-* +xen-utils-common-*-* +lcfg-xen-*-*)
!xen.distro             mSET(debian)
!xen.packages           mSET(xen-system-amd64 xen-utils-common)
!xen.daemons            mSET(xen)
/* xen.grubdefault: the schema's default, Debian's Xen entry. */
#endif

/* The host set-up: packages checked, GRUB boots Xen, daemons started. */
!xen.managehost         mSET(yes)
!xen.grubowner          mSET(XEN_GRUB_OWNER)
#ifdef XEN_DOM0_MEM
!xen.dom0mem            mSET(XEN_DOM0_MEM)
#endif
#ifdef XEN_DOM0_VCPUS
!xen.dom0vcpus          mSET(XEN_DOM0_VCPUS)
#endif

/* GRUB the seed's way: lcfg-grub boots Xen, by default, with the dom0
   options on the hypervisor's line; the component only checks the GRUB
   configuration it writes (lcfg-xen(8), HOST SET-UP). */
#if XEN_GO(XEN_GRUB_OWNER) == 2
#ifndef XEN_GRUB_RES_DEFAULT
#define XEN_GRUB_RES_DEFAULT grub.default
#endif
#ifndef XEN_GRUB_RES_XENARGS
#define XEN_GRUB_RES_XENARGS grub.xenargs
#endif
#ifdef XEN_GRUB_DEFAULT
!XEN_GRUB_RES_DEFAULT   mSET(XEN_GRUB_DEFAULT)
#endif
#ifdef XEN_DOM0_MEM
!XEN_GRUB_RES_XENARGS   mADD(dom0_mem=XEN_MB(XEN_DOM0_MEM),max:XEN_MB(XEN_DOM0_MEM))
#endif
#ifdef XEN_DOM0_VCPUS
!XEN_GRUB_RES_XENARGS   mADD(dom0_max_vcpus=XEN_DOM0_VCPUS)
#endif
#endif

#endif
