import iconv from 'iconv-lite';
import { InputFileError } from '../core/errors.ts';

interface Decoder {
  write(bytes: Buffer): string;
  end(): string;
}

/**
 * Index of the first byte that does not belong to a UTF-8 sequence, or -1. A sequence
 * cut by the end of the bytes counts as valid: the next chunk goes on with it.
 */
function firstInvalidUtf8(bytes: Buffer, from = 0): number {
  for (let i = from; i < bytes.length; ) {
    const b = bytes[i]!;
    const more = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (more < 0) return i;
    for (let k = 1; k <= more; k++) {
      if (i + k >= bytes.length) return -1;
      if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    }
    i += more + 1;
  }
  return -1;
}

const newlines = (bytes: Buffer, end: number) => {
  let n = 0;
  for (let i = bytes.indexOf(0x0a); i >= 0 && i < end; i = bytes.indexOf(0x0a, i + 1)) n++;
  return n;
};

/** The line of `chunk` holding its first byte that is not UTF-8, `lines` lines being before the chunk. */
function mixedEncodings(file: string, chunk: Buffer, lines: number, cause?: unknown): InputFileError {
  let from = 0;
  while (from < 3 && from < chunk.length && (chunk[from]! & 0xc0) === 0x80) from++; // the end of a sequence begun in the previous chunk
  const at = firstInvalidUtf8(chunk, from);
  const line = lines + newlines(chunk, at < 0 ? chunk.length : at) + 1;
  return new InputFileError(
    file,
    `line ${line} is not UTF-8 like the lines before it (the file mixes encodings): save the file again from Excel as "CSV UTF-8" or "CSV (séparateur: point-virgule)"`,
    { cause },
  );
}

function utf8Decoder(file: string, linesSoFar: () => number): Decoder {
  const decoder = new TextDecoder('utf-8', { fatal: true }); // strips a BOM
  const run = (chunk: Buffer, decode: () => string) => {
    try {
      return decode();
    } catch (cause) {
      throw mixedEncodings(file, chunk, linesSoFar(), cause);
    }
  };
  return {
    write: (bytes) => run(bytes, () => decoder.decode(bytes, { stream: true })),
    end: () => run(Buffer.alloc(0), () => decoder.decode()),
  };
}

function iconvDecoder(encoding: 'win1252' | 'utf-16le' | 'utf-16be'): Decoder {
  const decoder = iconv.getDecoder(encoding); // strips a BOM
  return { write: (bytes) => decoder.write(bytes), end: () => decoder.end() ?? '' };
}

/** True when these bytes hold UTF-8 sequences for accented letters ("é" as C3 A9), which Windows-1252 text all but never does ("Ã©"). */
function hasUtf8Sequences(bytes: Buffer): boolean {
  for (let i = 0; i + 1 < bytes.length; i++) {
    const b = bytes[i]!;
    const continues = (at: number) => at < bytes.length && (bytes[at]! & 0xc0) === 0x80;
    if (b >= 0xc2 && b <= 0xdf && continues(i + 1)) return true;
    if (b >= 0xe0 && b <= 0xef && continues(i + 1) && continues(i + 2)) return true;
  }
  return false;
}

/** First byte that is not ASCII, or -1. */
function firstNonAscii(bytes: Buffer): number {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return i;
  return -1;
}

/**
 * Decodes a file's bytes into text without reading it twice, in the encodings files
 * made by hand come in: Excel writes Windows-1252 ("CSV (séparateur: point-virgule)"),
 * UTF-8 with a BOM ("CSV UTF-8") or UTF-16 with a BOM ("Texte Unicode"). A BOM decides; otherwise
 * the encoding is decided at the first chunk holding a non-ASCII byte: UTF-8 if those
 * bytes are valid UTF-8, Windows-1252 if not. Everything before is ASCII, the same in
 * both, so nothing is decoded wrongly in between. A file that mixes UTF-8 and
 * Windows-1252 is an {@link InputFileError}, never text with "Ã©" or "�" in it.
 */
export async function* decodeText(file: string, chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let decoder: Decoder | undefined;
  let lines = 0;
  let atStart = true;
  let pending: Buffer | undefined; // the first non-ASCII bytes, too few yet to tell
  const counted = (text: string) => {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
    return text;
  };
  const decide = (chunk: Buffer, at: number): Decoder => {
    if (firstInvalidUtf8(chunk, at) < 0) return utf8Decoder(file, () => lines);
    if (hasUtf8Sequences(chunk.subarray(at))) throw mixedEncodings(file, chunk, lines);
    return iconvDecoder('win1252');
  };
  for await (const bytes of chunks) {
    const chunk: Buffer = pending ? Buffer.concat([pending, bytes]) : bytes;
    pending = undefined;
    if (!decoder && atStart) {
      atStart = false;
      if (chunk[0] === 0xff && chunk[1] === 0xfe) decoder = iconvDecoder('utf-16le');
      else if (chunk[0] === 0xfe && chunk[1] === 0xff) decoder = iconvDecoder('utf-16be');
    }
    if (!decoder) {
      const at = firstNonAscii(chunk);
      if (at < 0) {
        yield counted(chunk.toString('latin1')); // ASCII so far: the same in every encoding
        continue;
      }
      if (chunk.length - at < 4) {
        // Not enough bytes after the first accent to tell a UTF-8 sequence cut by the chunk's end from Windows-1252.
        if (at > 0) yield counted(chunk.toString('latin1', 0, at));
        pending = chunk.subarray(at);
        continue;
      }
      decoder = decide(chunk, at);
    }
    const text = decoder.write(chunk);
    if (text) yield counted(text);
  }
  if (pending) {
    decoder = decide(pending, 0);
    const text = decoder.write(pending);
    if (text) yield counted(text);
  }
  const rest = decoder?.end();
  if (rest) yield rest;
}
