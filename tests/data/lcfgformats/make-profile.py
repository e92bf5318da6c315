# make-profile.py: write tests/data/lcfgformats/profile.xml from the built schema
# table (build/gen/schema-gen.c): the whole schema as an LCFG server compiles
# it (every resource, defaults filled in, cfg:type on typed ones, cfg:template
# on the tag list), with awkward values. Run from the top of the tree.
import re
from xml.sax.saxutils import escape
src = open('build/gen/schema-gen.c').read()
def table(name):
    body = src.split('schema_%s[' % name)[1].split('};')[0]
    return re.findall(r'\{ "([^"]*)", "((?:[^"\\]|\\.)*)", RT_(\w+), "((?:[^"\\]|\\.)*)" \}', body)
host = table('host'); guest = table('guest'); items = {n: (d, t) for n, d, t, lt in table('item')}; groups = [r for r in table('hlist') if r[0].startswith('group')]
def x(v):  # text as the server writes it: & < > escaped, CR and LF as references
    return escape(v).replace('\r', '&#13;').replace('\n', '&#10;')
def typ(t):
    return {'INTEGER': ' cfg:type="integer"', 'BOOLEAN': ' cfg:type="boolean"',
            'PUBLISH': ' cfg:type="publish"', 'SUBSCRIBE': ' cfg:type="subscribe"'}.get(t, '')
def drv(d):
    return ' cfg:derivation="%s"' % x(d) if d else ''
hostval = {
    'grubdefault': ('Debian & co <Xen> 4.17', 'site/grub.h:7 source/pe2900:88'),
    'xenopts': ('dom0_mem=1024M,max:1024M loglvl=all', 'site/xen.h:3'),
    'parallel': ('8', 'source/pe2900:90,91 source/pe2900:90'),
    'packages': ('xen-system-amd64 xen-utils-4.17', ''),
    # The bridges are not made in the tests' root: no network system there.
    'netconfig': ('none', 'site/net.h:3'),
}
tags = ['web1', 'Db_2']
gval = {
    'web1': {'uuid': '6f1c4b52-8d0e-4c3a-9a57-1f2e3d4c5b6a', 'memory': '512', 'maxmem': '1024',
             'vcpus': '2', 'disk': '1', 'mac': '00:16:3e:00:00:01', 'boot': 'yes',
             'kernel': '/boot/vmlinuz-xen', 'cmdline': 'console=hvc0 root=/dev/xvda1 a&b<c>',
             'bootorder': '10'},
    'Db_2': {'uuid': '0a2040b3-3d85-49d4-accc-e38bc2e51a6d', 'memory': '256', 'disktype': 'none',
             'mac': '00:16:3e:00:00:02', 'restart': 'yes', 'name': 'db-2', 'group': 'cluster'},
}
# The lists nested in a guest's record (disks_$, nics_$): item -> values
# (the rest take their defaults, as the server fills them in).
gitems = {
    'web1': {'disks': [('d1', {'dsize': '10'}),
                       ('big', {'dsize': '100', 'dname': 'web1-data', 'dvdev': 'xvdz',
                                'daccess': 'ro'})],
             'nics': [('n1', {'nmac': '00:16:3e:00:00:11', 'nbridge': 'ovs0',
                              'nscript': 'vif-openvswitch', 'nvlan': '20', 'nmtu': '9000'})]},
}
idrv = {('web1', 'big', 'dsize'): 'site/disks.h:9'}
# The groups list (a host list of items): one group, Db_2's.
grval = {'cluster': {'groupvcpus': '2', 'groupbridge': 'xenbr1', 'groupbootorder': '5'}}
grdrv = {('cluster', 'groupvcpus'): 'site/cluster.h:3'}
gdrv = {('web1', 'memory'): 'source/pe2900:31,12 site/vm.h:4', ('web1', 'cmdline'): 'source/pe2900:33',
        ('Db_2', 'uuid'): 'source/pe2900:50', ('Db_2', 'memory'): 'bad:derivation'}
o = []
w = o.append
w('<?xml version="1.0" encoding="UTF-8"?>')
w('<profile xmlns="http://www.lcfg.org/namespace/profile-1.1" xmlns:cfg="http://www.lcfg.org/namespace/cfg-1.0">')
w(' <lcfg>')
w('  <published_by>lcfgsrv.example.org</published_by>')
w('  <published_at>03/12/26 11:48:31</published_at>')
w('  <server_version>4.0.0</server_version>')
w('  <components>')
w('   <xen>')
w('    <ng_schema cfg:type="integer" cfg:derivation="/var/lcfg/conf/server/defaults/xen-1.def:33">1</ng_schema>')
w('    <ng_statusdisplay cfg:type="boolean" cfg:derivation="/var/lcfg/conf/server/defaults/ngeneric-1.def:40">yes</ng_statusdisplay>')
w('    <ng_prod cfg:derivation="source/pe2900:99">%s</ng_prod>' % x('a&b\nline two\rthird <x> caf\u00e9 &amp; &#10; end '))
w('    <ng_debug cfg:type="boolean"></ng_debug>')
w('    <ng_plugins cfg:template="ng_plugin_params_$ ng_plugin_module_$" cfg:derivation="/var/lcfg/conf/server/defaults/ngeneric-1.def:51">')
w('     <ng_plugins_RECORD cfg:name="log">')
w('      <ng_plugin_params>%s</ng_plugin_params>' % x('level=2&to=syslog'))
w('      <ng_plugin_module>LCFG::Plugin::Log</ng_plugin_module>')
w('     </ng_plugins_RECORD>')
w('    </ng_plugins>')
# The host's own lists (bridges, vifscripts): tag -> values.
hitems = {n: (d, t) for n, d, t, lt in table('hlist')}
hlists = {'bridges': [('xenbr5', {'bridgeif': 'eth0', 'bridgevlan': '100', 'bridgestp': 'yes'})]}
for n, d, t, lt in host:
    if t == 'LIST' and n == 'groups':
        w('    <%s cfg:template="%s"%s>' % (n, lt[len('list: '):], drv('site/cluster.h:1')))
        for tag in grval:
            w('     <%s_RECORD cfg:name="%s">' % (n, tag))
            for gn, gd, gt, glt in groups:
                v = grval[tag].get(gn, gd)
                w('      <%s%s%s>%s</%s>' % (gn, typ(gt), drv(grdrv.get((tag, gn), '')), x(v), gn))
            w('     </%s_RECORD>' % n)
        w('    </%s>' % n)
        continue
    if t == 'LIST' and n in hlists:
        tl = lt[len('list: '):]
        w('    <%s cfg:template="%s"%s>' % (n, tl, drv('site/net.h:4')))
        for tag, vals in hlists[n]:
            w('     <%s_RECORD cfg:name="%s">' % (n, tag))
            for tm in tl.split():
                iname = tm[:-2]
                idf, ity = hitems[iname]
                w('      <%s%s>%s</%s>' % (iname, typ(ity), x(vals.get(iname, idf)), iname))
            w('     </%s_RECORD>' % n)
        w('    </%s>' % n)
        continue
    if t == 'LIST' and n != 'virtualmachines':
        # The spanning map's node list: no publisher here (tests/data/span).
        w('    <%s cfg:template="%s"></%s>' % (n, lt[len('list: '):], n))
        continue
    if t == 'LIST':
        w('    <%s cfg:template="%s"%s>' % (n, lt[len('list: '):], drv('source/pe2900:21 site/hosts.h:40,12 source/pe2900:21')))
        for tag in tags:
            w('     <%s_RECORD cfg:name="%s">' % (n, tag))
            for gn, gd, gt, glt in guest:
                if gt == 'LIST':
                    # A nested tag list: its records hold the items' resources.
                    tl = glt[len('list: '):]
                    lst = gitems.get(tag, {}).get(gn, [])
                    w('      <%s cfg:template="%s"%s>%s' % (gn, tl, drv('source/pe2900:60' if lst else ''), '' if lst else '</%s>' % gn))
                    if not lst:
                        continue
                    for it, vals in lst:
                        w('       <%s_RECORD cfg:name="%s">' % (gn, it))
                        for t in tl.split():
                            iname = t[:-4]
                            idf, ity = items[iname]
                            w('        <%s%s%s>%s</%s>' % (iname, typ(ity), drv(idrv.get((tag, it, iname), '')), x(vals.get(iname, idf)), iname))
                        w('       </%s_RECORD>' % gn)
                    w('      </%s>' % gn)
                    continue
                v = gval[tag].get(gn, tag if gn == 'name' else gd)
                w('      <%s%s%s>%s</%s>' % (gn, typ(gt), drv(gdrv.get((tag, gn), '')), x(v), gn))
            w('     </%s_RECORD>' % n)
        w('    </%s>' % n)
        continue
    v, dv = hostval.get(n, (d, ''))
    w('    <%s%s%s>%s</%s>' % (n, typ(t), drv(dv), x(v), n))
w('   </xen>')
w('  </components>')
w('  <packages></packages>')
w('  <last_modified>03/12/26 11:45:10</last_modified>')
w('  <last_modified_file>/var/lcfg/conf/server/source/pe2900</last_modified_file>')
w(' </lcfg>')
w('</profile>')
open('tests/data/lcfgformats/profile.xml', 'w').write('\n'.join(o) + '\n')
