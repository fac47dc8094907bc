import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ProwebError } from '../../core/errors.ts';

/**
 * A scheduled drop names a file outside the configured drop folders. A schedule lives in Redis:
 * without this check, whoever can write to Redis could make a robot read any file of its machine
 * (and write a rejection file next to it).
 */
export class OutsideDropFolders extends ProwebError {
  override name = 'OutsideDropFolders';
  constructor(
    readonly file: string,
    readonly folders: readonly string[],
  ) {
    super(
      folders.length === 0
        ? `scheduled drop file ${file}: no drop folder is configured, so no scheduled drop is accepted`
        : `scheduled drop file ${file} is not inside a drop folder (folders.drops: ${folders.join(', ')})`,
      folders.length === 0
        ? 'List the shared folders the exports land in under "folders": { "drops": ["/srv/proweb/depots"] } in the configuration of the machine that schedules and of every robot machine.'
        : 'Have the export land in one of the drop folders, or add its folder to "folders.drops" in the configuration of the machine that schedules and of every robot machine.',
    );
  }
}

/**
 * The folders scheduled drops may be read from (`folders.drops`). Paths are compared once every
 * `..` and symbolic link is resolved, so neither `/srv/depots/../../etc/passwd` nor a link in a
 * drop folder pointing elsewhere gets out.
 */
export class DropFolders {
  readonly folders: readonly string[];

  /** @param folders absolute paths, as the configuration gives them. */
  constructor(folders: readonly string[]) {
    this.folders = folders.map((f) => resolve(f));
  }

  /**
   * The real path of `file` if it lies inside a drop folder. The file need not exist yet (a
   * schedule is written before the first export lands): the part of the path that exists is
   * resolved, the rest kept as written.
   *
   * @throws {@link OutsideDropFolders} when it does not.
   */
  async resolve(file: string): Promise<string> {
    if (!isAbsolute(file)) throw new OutsideDropFolders(file, this.folders);
    const real = await realpathOfExistingPart(resolve(file));
    for (const folder of this.folders) {
      const root = await realpathOfExistingPart(folder);
      const inside = relative(root, real);
      if (inside !== '' && inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside)) return real;
    }
    throw new OutsideDropFolders(file, this.folders);
  }

  /**
   * {@link resolve}, for a robot about to read the file: it must exist and be a regular file
   * (not a folder, a device or a pipe).
   *
   * @throws {@link OutsideDropFolders}, or the file system's error (`ENOENT`...) when it cannot be read.
   */
  async resolveExisting(file: string): Promise<string> {
    const real = await this.resolve(file);
    const info = await stat(real);
    if (!info.isFile()) throw Object.assign(new Error(`${real} is not a regular file`), { code: 'ENOTFILE' });
    return real;
  }
}

/** `realpath` of the longest existing prefix of an absolute, normalised path, with the rest appended. */
async function realpathOfExistingPart(path: string): Promise<string> {
  const rest: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(await realpath(current), ...rest.reverse());
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const parent = dirname(current);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === current) throw error;
      rest.push(basename(current));
      current = parent;
    }
  }
}
