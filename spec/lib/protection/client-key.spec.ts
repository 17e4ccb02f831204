import { clientKey } from '../../../lib/protection/client-key';

// The keys express-rate-limit's ipKeyGenerator gave for these addresses (which the plugin used
// before): the same keys, so counts kept in Redis carry over. 200,000 random addresses were
// compared with it when it was replaced; this table keeps the cases that tell rules apart.
describe('the client an address counts as', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4'],
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '::/56'],
    ['::', '::/56'],
    ['1::', '1::/56'],
    ['2001:db8::1', '2001:db8::/56'],
    ['2001:DB8:0:0:ff::1', '2001:db8::/56'],
    ['2001:db8:0:ff00::1', '2001:db8:0:ff00::/56'],
    ['2001:db8:0:100::1', '2001:db8:0:100::/56'],
    ['2001:db8:1234:5678:9abc:def0:1234:5678', '2001:db8:1234:5600::/56'],
    ['2001:0db8:1234:56ff:0:0:0:1', '2001:db8:1234:5600::/56'],
    ['fe80::1%eth0', 'fe80::/56'],
    ['64:ff9b::1.2.3.4', '64:ff9b::/56'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::ffff:0102:0304', '1.2.3.4'],
    ['::FFFF:127.0.0.1', '127.0.0.1'],
    ['::1.2.3.4', '1.2.3.4'],
    ['', ''],
    ['not an address', 'not an address'],
  ])('%s → %s', (address, key) => {
    expect(clientKey(address)).toBe(key);
  });

  it('gives every address of one /56 one key, and the next /56 another', () => {
    const keys = new Set(['2001:db8:aa:bb00::1', '2001:db8:aa:bbff:ffff:ffff:ffff:ffff', '2001:db8:aa:bb12::7'].map(clientKey));
    expect([...keys]).toEqual(['2001:db8:aa:bb00::/56']);
    expect(clientKey('2001:db8:aa:bc00::1')).not.toBe(clientKey('2001:db8:aa:bb00::1'));
  });
});
