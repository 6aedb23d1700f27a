/** profile.get (Get-OfflineSeedProfile): what the saved profiles give (the user's over the machine's), and from which file. */
import { readProfiles } from '../importjob/profile.ts';
import { profileResult } from '../importjob/profileView.ts';
import type { CommandContext } from './command.ts';

export async function run(params: { profilePath?: string }, context: CommandContext): Promise<void> {
  context.emitResult(profileResult(await readProfiles(params.profilePath)));
}
