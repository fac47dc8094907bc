import { describe, expect, it } from 'vitest';
import { dossierIdFor, jobIdFor } from '../../queue/dossier-id.ts';

describe('dossier and job ids', () => {
  it('are derived from scenario and business key only, so the same dossier always gets the same job', () => {
    expect(dossierIdFor('dipa-payment', '591123453|P1')).toBe(dossierIdFor('dipa-payment', '591123453|P1'));
    expect(dossierIdFor('dipa-payment', '591123453|P1')).not.toBe(dossierIdFor('dipa-payment', '591123453|P2'));
    expect(dossierIdFor('dipa-payment', 'a|b')).not.toBe(dossierIdFor('prime-covid', 'a|b'));
  });

  it('carry no business key in clear (keys may hold a NIR)', () => {
    const id = jobIdFor('prn-entry', dossierIdFor('prn-entry', '184017512345678|2020-04-01'));
    expect(id).toMatch(/^prn-entry\.[0-9a-f]{24}$/);
    expect(id).not.toContain('1840175');
  });

  it('are valid BullMQ custom ids: no colon, not an integer', () => {
    const id = jobIdFor('dipa-payment', dossierIdFor('dipa-payment', '1:2'));
    expect(id).not.toContain(':');
    expect(Number.isInteger(Number(id))).toBe(false);
  });
});
