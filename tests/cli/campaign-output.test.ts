import { describe, expect, it } from 'vitest';
import { invalidRowsText, rejectionsText } from '../../cli/campaign-output.ts';
import type { CampaignSubmission } from '../../queue/campaigns/campaign.ts';
import type { CampaignResult } from '../../queue/campaigns/run-campaign.ts';

const NIR = '1 85 07 59 012 345 67';
const IBAN = 'FR7630006000011234567890189';

const submission: CampaignSubmission = {
  campaignId: '2026-12-03-0badcafe', scenarioId: 'bdo-update', caisse: 'CPAM du Rhône', file: '/partage/bdo.csv',
  rows: 3, invalidRows: 1, alreadyDone: 0, alreadyQueued: 0, queuedJobIds: [], jobIds: ['a', 'b'],
  invalid: [{ file: 'bdo.csv', rowNumber: 4, field: 'nir', reason: `"${NIR.replace(/ /g, '')}" has a wrong key (expected 68)` }],
};

describe('what `proweb run` prints about dossiers (standard output, kept by journald)', () => {
  it('masks the NIR or IBAN a back office quotes in a refusal or a failure', () => {
    const result: CampaignResult = {
      submission,
      elapsedMs: 1000,
      finished: [
        { jobId: 'a', campaignId: submission.campaignId, rowNumber: 2, status: 'rejected', reason: `Refus : l'assuré ${NIR} est inconnu`, alreadyRecorded: false },
        { jobId: 'b', campaignId: submission.campaignId, rowNumber: 3, status: 'failed', reason: `page https://bdo.local/assure/${NIR.replace(/ /g, '')}?iban=${IBAN} : HTTP 500`, alreadyRecorded: false },
      ],
    };
    const text = rejectionsText(result);
    expect(text).toBe([
      'Rejected or failed dossiers (2, for a human):',
      "  bdo.csv row 2: rejected: Refus : l'assuré 1 85 ** ** *** *** 67 est inconnu",
      '  bdo.csv row 3: failed: page https://bdo.local/assure/1 85 ** ** *** *** 67?iban=FR76 **** **89 : HTTP 500',
      '',
    ].join('\n'));
  });

  it('masks the cell an invalid row quotes', () => {
    const text = invalidRowsText(submission);
    expect(text).toContain('bdo.csv row 4, nir: "1 85 ** ** *** *** 67" has a wrong key (expected 68)');
    expect(text.replace(/\s/g, '')).not.toContain('850759012345');
  });
});
