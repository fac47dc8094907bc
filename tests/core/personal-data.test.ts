import { describe, expect, it } from 'vitest';
import { Scrubber, scrubText } from '../../core/personal-data.ts';

describe('the personal-data scrubber', () => {
  it('masks a NIR written any way a screen or a person writes it, keeping sex, year and key', () => {
    expect(scrubText("Refus : l'assuré 285017512345647 est inconnu")).toBe("Refus : l'assuré 2 85 ** ** *** *** 47 est inconnu");
    expect(scrubText('nir 2 85 01 75 123 456 47.')).toBe('nir 2 85 ** ** *** *** 47.');
    expect(scrubText('https://bdo/assures?nir=1840175123456')).toBe('https://bdo/assures?nir=1 84 ** ** *** ***');
    expect(scrubText('Corse 285012A123456')).toBe('Corse 2 85 ** ** *** ***');
  });

  it('masks IBANs, e-mail addresses and telephone numbers', () => {
    expect(scrubText('IBAN FR7630006000011234567890189 refusé')).toBe('IBAN FR76 **** **89 refusé');
    expect(scrubText('IBAN FR76 3000 6000 0112 3456 7890 189')).not.toMatch(/3000|7890/);
    expect(scrubText('écrire à claire.martin@example.fr')).toBe('écrire à ***@***');
    expect(scrubText('tél. 06 12 34 56 78, +33 1 23 45 67 89')).toBe('tél. ** ** ** ** 78, ** ** ** ** 89');
  });

  it('masks a date of birth quoted by a refusal, not other dates', () => {
    expect(scrubText("Refus : l'ayant droit est mineur (né(e) le 03/04/2003) ; date d'effet 15/09/2020"))
      .toBe("Refus : l'ayant droit est mineur (né(e) le **/**/****) ; date d'effet 15/09/2020");
    expect(scrubText('Date de naissance : 1/2/1985, née le 12.11.1990')).toBe('Date de naissance : **/**/****, née le **/**/****');
    expect(scrubText('année 15/09/2020')).toBe('année 15/09/2020');
  });

  it('leaves what is not personal: ids, amounts, dates, PS numbers, timestamps in log lines', () => {
    const line = '{"time":1796300000000,"jobId":"dipa-payment.4f1e2d3c4b5a69788796a5b4","ps":"591000005","montant":"1234.56","date":"2020-04-06"}';
    expect(scrubText(line)).toBe(line);
  });

  it('masks the values a dossier declares personal, whatever their case, longest first', () => {
    const s = new Scrubber().with(['Marie-Claire', 'Marie', 'Li', undefined]);
    expect(s.text('MARIE-CLAIRE DUPONT et marie')).toBe('*** DUPONT et ***');
    expect(s.text('Lille')).toBe('Lille');
  });

  it('leaves a declared NIR or IBAN to its pattern, so that its mask stays readable', () => {
    const s = new Scrubber().with(['285017512345647', 'FR7630006000011234567890189']);
    expect(s.text('NIR 2 85 01 75 123 456 47, IBAN FR7630006000011234567890189')).toBe('NIR 2 85 ** ** *** *** 47, IBAN FR76 **** **89');
  });

  it('masks an error in place, keeping its class, with its stack and causes', () => {
    class Refusal extends Error {}
    const error = new Refusal('refus pour 285017512345647', { cause: new Error('DUPONT') });
    const same = new Scrubber(['Dupont']).error(error);
    expect(same).toBe(error);
    expect(same).toBeInstanceOf(Refusal);
    expect(`${same.message} ${same.stack} ${(same.cause as Error).message}`).not.toMatch(/285017512345647|DUPONT/);
  });

  it('masks every string of a JSON value, keys kept', () => {
    expect(new Scrubber(['Dupont']).deep({ status: 'rejected', reason: 'Dupont', list: ['285017512345647'], n: 3 }))
      .toEqual({ status: 'rejected', reason: '***', list: ['2 85 ** ** *** *** 47'], n: 3 });
  });
});
