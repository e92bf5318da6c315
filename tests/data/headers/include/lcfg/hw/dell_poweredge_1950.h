/* stand-in for the site header <lcfg/hw/dell_poweredge_1950.h>: the seed includes it; its content is not part of this test */
