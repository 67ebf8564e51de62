import { describe, expect, it } from 'vitest';
import { storeTarget, withoutSecrets } from '../../../src/infrastructure/stores/storeTarget.js';

describe('where a networked store is, for logs, readiness and answers', () => {
  it('given connection strings with and without credentials, then the scheme and hosts only', () => {
    expect(storeTarget('esdb://localhost:2113?tls=false')).toBe('esdb://localhost:2113');
    expect(storeTarget('esdb://admin:changeit@node1:2113,node2:2113?tls=true')).toBe(
      'esdb://node1:2113,node2:2113',
    );
    expect(storeTarget('esdb+discover://admin:changeit@cluster.example')).toBe(
      'esdb+discover://cluster.example',
    );
    expect(storeTarget('mongodb://reader:s3cret@db1:27017,db2/refunds?replicaSet=rs0')).toBe(
      'mongodb://db1:27017,db2',
    );
    expect(storeTarget('mongodb+srv://reader:s3cret@cluster0.example.net/?w=majority')).toBe(
      'mongodb+srv://cluster0.example.net',
    );
    expect(storeTarget('mongodb://[::1]:27017/')).toBe('mongodb://[::1]:27017');
  });

  it('given a password with "/", "#", "?" or "@" (as EventStoreDB takes them, or percent-encoded), then none of it is shown', () => {
    const passwords = ['pa/ss', 'pa#ss', 'pa?ss', 'p/a#s?s', 'pa:ss', 'pa%2Fss%23%3F%40'];
    for (const password of passwords) {
      for (const scheme of ['esdb', 'mongodb']) {
        const target = storeTarget(`${scheme}://admin:${password}@db:2113/?tls=false`);
        expect(target, password).toBe(`${scheme}://db:2113`);
      }
    }
    // Cut at the first "@", as the client does; what follows is no host, so it is not shown.
    expect(storeTarget('esdb://admin:pa@ss@db:2113')).toBe('esdb://(hosts not shown)');
  });

  it('given strings that are no connection strings, then nothing of them', () => {
    expect(storeTarget('admin:secret@db')).toBe('an unparseable connection string');
    expect(storeTarget('esdb://admin:secret')).toBe('esdb://(hosts not shown)');
    expect(storeTarget('esdb://')).toBe('esdb://(hosts not shown)');
    expect(storeTarget('mongodb://db one:27017')).toBe('mongodb://(hosts not shown)');
  });

  it('given a driver’s message, then it is kept unless it repeats credentials or a secret option', () => {
    const url = 'mongodb://reader:pa%2Fss@db/?tlsCertificateKeyFilePassword=k3y&appName=x';

    expect(withoutSecrets('Invalid read preference mode "bogus"', url)).toBe(
      'Invalid read preference mode "bogus"',
    );
    for (const leaking of ['user reader unknown', 'bad pa/ss', 'bad pa%2Fss', 'k3y refused']) {
      expect(withoutSecrets(leaking, url)).toMatch(/^details withheld/);
    }
  });
});
