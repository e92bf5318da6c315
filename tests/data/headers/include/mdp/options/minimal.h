/* stand-in for the site header <mdp/options/minimal.h>: the seed includes it; its content is not part of this test */
