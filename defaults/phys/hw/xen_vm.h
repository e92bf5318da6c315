/* phys/hw/xen_vm.h: the "hardware" of a Xen PV or PVH guest.

       #include <phys/hw/xen_vm.h>

   in a guest's profile (instead of a real machine's hardware header) loads
   the Xen block and network front-end drivers, puts the console on hvc0
   with a login on it, and turns off hardware probing: a guest has no
   hardware to find. The guest itself is defined in its host's profile
   (xen.virtualmachines, see lcfg-xen(8)).                                */

#ifndef PHYS_HW_XEN_VM_H
#define PHYS_HW_XEN_VM_H

/* Xen front-end drivers: disks (xvda, ...) and network (eth0, ...). */
!hardware.modlist       mADD(xen_blkfront xen_netfront)
hardware.mod_xen_blkfront alias scsi_hostadapter xen_blkfront
hardware.mod_xen_netfront alias eth0 xen_netfront

/* No hardware to probe. */
!hardware.probe         mSET()

/* The Xen console: hvc0, for the kernel and for logins (xl console). */
!grub.kernelargs        mEXTRA(console=hvc0)
!inittab.entries        mADD(hvc0)
inittab.entry_hvc0      co:2345:respawn:/sbin/agetty hvc0 9600 vt100-nav

#endif
