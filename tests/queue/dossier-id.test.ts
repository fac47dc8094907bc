import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dossierIdFor, jobIdFor } from '../../queue/campaigns/dossier-id.ts';
import { otherDeploymentSecret, testSecret } from '../support/secret.ts';

describe('dossier and job ids', () => {
  it('are derived from scenario and business key only, so the same dossier always gets the same job', () => {
    expect(dossierIdFor('dipa-payment', '591123453|P1', testSecret)).toBe(dossierIdFor('dipa-payment', '591123453|P1', testSecret));
    expect(dossierIdFor('dipa-payment', '591123453|P1', testSecret)).not.toBe(dossierIdFor('dipa-payment', '591123453|P2', testSecret));
    expect(dossierIdFor('dipa-payment', 'a|b', testSecret)).not.toBe(dossierIdFor('prime-covid', 'a|b', testSecret));
  });

  it('carry no business key in clear (keys may hold a NIR)', () => {
    const id = jobIdFor('prn-entry', dossierIdFor('prn-entry', '184017512345678|2020-04-01', testSecret));
    expect(id).toMatch(/^prn-entry\.[0-9a-f]{24}$/);
    expect(id).not.toContain('1840175');
  });

  it('are valid BullMQ custom ids: no colon, not an integer', () => {
    const id = jobIdFor('dipa-payment', dossierIdFor('dipa-payment', '1:2', testSecret));
    expect(id).not.toContain(':');
    expect(Number.isInteger(Number(id))).toBe(false);
  });
});

describe('dossier ids are keyed with the deployment secret', () => {
  const key = '184017512345678|2020-04-01';

  it('differ from one deployment to another', () => {
    expect(dossierIdFor('prn-entry', key, testSecret)).not.toBe(dossierIdFor('prn-entry', key, otherDeploymentSecret));
  });

  it('are not the plain SHA-256 of scenario and key that anyone could recompute from a list of NIRs', () => {
    const plain = createHash('sha256').update(`prn-entry\u0000${key}`).digest('hex');
    const id = dossierIdFor('prn-entry', key, testSecret);
    expect(plain.startsWith(id)).toBe(false);
    expect(plain).not.toContain(id);
    // Nor the hash of the key alone, nor of the key with the scenario glued on.
    for (const guess of [key, `prn-entry${key}`, `prn-entry|${key}`]) expect(createHash('sha256').update(guess).digest('hex')).not.toContain(id);
  });
});
