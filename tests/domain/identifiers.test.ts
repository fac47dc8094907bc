import { describe, expect, it } from 'vitest';
import { ibanFromBban, isIban, isNir, isPsNumber, luhnKey, luhnValid, maskIban, maskNir, nirKey } from '../../domain/identifiers.ts';

describe('PS numbers', () => {
  it('are 9 digits whose last one is a Luhn key over the first eight', () => {
    const body = '59112345';
    const ps = body + luhnKey(body);
    expect(isPsNumber(ps)).toBe(true);
    expect(luhnValid(ps)).toBe(true);
    const wrongKey = body + String((Number(luhnKey(body)) + 1) % 10);
    expect(isPsNumber(wrongKey)).toBe(false);
  });

  it('refuses other lengths and non-digits', () => {
    expect(isPsNumber('12345678')).toBe(false);
    expect(isPsNumber('59112345A')).toBe(false);
  });
});

describe('IBAN', () => {
  it('accepts a French IBAN with a valid key, spaces or not, and refuses a wrong key', () => {
    const iban = ibanFromBban('FR', '30006000011234567890189');
    expect(iban).toMatch(/^FR\d{2}30006000011234567890189$/);
    expect(isIban(iban)).toBe(true);
    expect(isIban(iban.replace(/(.{4})/g, '$1 '))).toBe(true);
    expect(isIban(`FR00${iban.slice(4)}`)).toBe(false);
  });

  it('is masked to its country, key and last four characters', () => {
    expect(maskIban('FR7630006000011234567890189')).toBe('FR76*******************0189');
  });
});

describe('NIR', () => {
  it('has key 97 − (13 digits mod 97), Corsica counted as 19/18', () => {
    expect(nirKey('1840175123456')).toBe(String(97 - Number(1840175123456n % 97n)).padStart(2, '0'));
    expect(nirKey('184022A123456')).toBe(String(97 - Number(1840219123456n % 97n)).padStart(2, '0'));
    const body = '2690259350101';
    expect(isNir(body + nirKey(body))).toBe(true);
    const wrong = String((Number(nirKey(body)) % 96) + 1).padStart(2, '0');
    expect(isNir(body + wrong)).toBe(false);
  });
  it('is masked for messages to sex, year of birth and key', () => {
    expect(maskNir('285027512345647')).toBe('2 85 ** ** *** *** 47');
    expect(maskNir('2 85 02 75 123 456 47')).toBe('2 85 ** ** *** *** 47');
    expect(maskNir('1840175123456')).toBe('1 84 ** ** *** ***');
  });
});
