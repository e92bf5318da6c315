/* stand-in for the site header <phys/options/epcc/packagelists.h>: the seed includes it; its content is not part of this test */
