/** profile.get (Get-OfflineSeedProfile): what the saved profiles give (the user's over the machine's), and from which file. */
import { readProfiles } from '../importjob/profile.ts';
import { profileResult } from '../importjob/profileView.ts';
import { defineCommand } from './command.ts';

export const profileGetCommand = defineCommand<{ profilePath?: string }>({
  name: 'profile.get',
  summary: 'Show the saved return address, return carrier and credential profiles, and which file each comes from.',
  cmdlet: 'Get-OfflineSeedProfile',
  resultTypeName: 'OfflineSeed.Profile',
  async run(params, context) {
    context.emitResult(profileResult(await readProfiles(params.profilePath)));
  },
});
