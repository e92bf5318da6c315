# make-profiles.py: write alpha.xml, beta.xml and gamma.xml, the profiles an
# LCFG server compiles for three Xen hosts that publish their guests into,
# and subscribe to, the spanning map XENGUESTS (xen.spanpub, xen.spansub).
# alpha and beta were compiled before gamma joined (their maps hold alpha
# and beta); gamma's profile has db1 too, which alpha's has: the map shows
# it on both. Run from this directory; then the status files:
#   for h in alpha beta gamma; do lcfg-oracle status $h.xml xen $h.status; done
A = ('web1', '6f1c4b52-8d0e-4c3a-9a57-1f2e3d4c5b6a', '00:16:3e:00:00:01', 'web')
B = ('web2', '1b2c3d4e-5f60-4172-8394-a5b6c7d8e9f0', '00:16:3e:00:00:02', 'web')
D = ('db1', '0a2040b3-3d85-49d4-accc-e38bc2e51a6d', '00:16:3e:00:00:03', '')
hosts = {'alpha': [A, D], 'beta': [B]}


def word(g):
    return '%s/%s/%s/%s' % g


def prof(me, mine):
    o = []
    w = o.append
    w('<?xml version="1.0" encoding="UTF-8"?>')
    w('<profile xmlns="http://www.lcfg.org/namespace/profile-1.1" xmlns:cfg="http://www.lcfg.org/namespace/cfg-1.0">')
    w(' <lcfg>')
    w('  <published_by>lcfgsrv.example.org</published_by>')
    w('  <published_at>03/12/26 15:00:00</published_at>')
    w('  <server_version>4.0.0</server_version>')
    w('  <components>')
    w('   <xen>')
    w('    <ng_schema cfg:derivation="/var/lcfg/conf/server/defaults/xen-1.def:31">1</ng_schema>')
    w('    <virtualmachines cfg:template="uuid_$ memory_$ disktype_$ mac_$ group_$" cfg:derivation="source/%s:5">' % me)
    for g in mine:
        w('     <virtualmachines_RECORD cfg:name="%s">' % g[0])
        w('      <uuid>%s</uuid>' % g[1])
        w('      <memory>128</memory>')
        w('      <disktype>none</disktype>')
        w('      <mac>%s</mac>' % g[2])
        w('      <group>%s</group>' % g[3])
        w('     </virtualmachines_RECORD>')
    w('    </virtualmachines>')
    w('    <antiaffinity>web</antiaffinity>')
    w('    <spanpub cfg:type="publish" cfg:derivation="/var/lcfg/conf/server/defaults/xen-1.def:120 source/%s:9">XENGUESTS</spanpub>' % me)
    w('    <spanhost>%s</spanhost>' % me)
    w('    <spanguests cfg:derivation="source/%s:6,7">%s</spanguests>' % (me, ' '.join(word(g) for g in mine)))
    w('    <spansub cfg:type="subscribe" cfg:derivation="source/%s:10">XENGUESTS</spansub>' % me)
    w('    <spannodes cfg:template="spanhost_$ spanguests_$">')
    for h in sorted(hosts):
        w('     <spannodes_RECORD cfg:name="%s">' % h)
        w('      <spanhost>%s</spanhost>' % h)
        w('      <spanguests>%s</spanguests>' % ' '.join(word(g) for g in hosts[h]))
        w('     </spannodes_RECORD>')
    w('    </spannodes>')
    w('   </xen>')
    w('  </components>')
    w('  <packages/>')
    w('  <last_modified>03/12/26 15:00:00</last_modified>')
    w('  <last_modified_file>/var/lcfg/conf/server/source/%s</last_modified_file>' % me)
    w(' </lcfg>')
    w('</profile>')
    return '\n'.join(o) + '\n'


open('alpha.xml', 'w').write(prof('alpha', hosts['alpha']))
open('beta.xml', 'w').write(prof('beta', hosts['beta']))
hosts['gamma'] = [D]
open('gamma.xml', 'w').write(prof('gamma', hosts['gamma']))
