/* stand-in for the site header <lcfg/options/mysql-server.h>: the seed includes it; its content is not part of this test */
