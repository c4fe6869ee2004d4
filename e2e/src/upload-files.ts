/**
 * Files for the upload tests, made in memory with node:zlib alone: a real
 * PNG (with a text chunk standing for metadata the stack must strip), and
 * every hostile file the stack must refuse.
 */
import { crc32, deflateSync } from 'node:zlib';

export interface UploadFile {
  name: string;
  type: string;
  data: Buffer;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function ihdr(width: number, height: number): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  return chunk('IHDR', data);
}

/** The text a PNG's metadata chunk carries: where the photo was taken. */
export const METADATA_MARKER = 'GPS 48.8584N 2.2945E';

/** A `width`×`height` RGB PNG, a gradient, with a tEXt chunk of {@link METADATA_MARKER}. */
export function png(width: number, height: number): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) row.set([x % 256, y % 256, 128], 1 + x * 3);
    rows.push(row);
  }
  return Buffer.concat([
    SIGNATURE,
    ihdr(width, height),
    chunk('tEXt', Buffer.from(`Comment\0${METADATA_MARKER}`, 'latin1')),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const HTML = '<html><body><script>fetch("/steal?"+document.cookie)</script></body></html>';

export interface Attack {
  what: string;
  file: UploadFile;
  status: number;
  code: string;
}

/** Each hostile upload and what the stack answers; `maxBytes` is the app's file limit. */
export function attacks(maxBytes: number): Attack[] {
  const gifBomb = Buffer.concat([
    Buffer.from('GIF89a'),
    // A 65535×65535 logical screen (4.3 gigapixels) and a 2-colour table…
    Buffer.from([0xff, 0xff, 0xff, 0xff, 0x80, 0, 0, 0, 0, 0, 255, 255, 255]),
    // …and one frame as large, in 15 bytes.
    Buffer.from([0x2c, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00]),
    Buffer.from([0x3b]),
  ]);
  return [
    {
      what: 'an HTML file named .png',
      file: { name: 'cat.png', type: 'image/png', data: Buffer.from(HTML) },
      status: 415,
      code: 'unsupported_image_type',
    },
    {
      what: 'a PNG header with an HTML payload after it',
      file: {
        name: 'polyglot.png',
        type: 'image/png',
        data: Buffer.concat([SIGNATURE, ihdr(10, 10), Buffer.from(HTML)]),
      },
      status: 422,
      code: 'image_unreadable',
    },
    {
      what: 'an SVG with script',
      file: {
        name: 'logo.svg',
        type: 'image/svg+xml',
        data: Buffer.from(
          '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>',
        ),
      },
      status: 415,
      code: 'unsupported_image_type',
    },
    {
      what: 'a GIF bomb (65535×65535 in its header)',
      file: { name: 'bomb.gif', type: 'image/gif', data: gifBomb },
      status: 422,
      code: 'image_too_large',
    },
    {
      what: 'a 0-byte file',
      file: { name: 'empty.png', type: 'image/png', data: Buffer.alloc(0) },
      status: 422,
      code: 'empty_file',
    },
    {
      what: "a file over the app's limit",
      file: {
        name: 'huge.png',
        type: 'image/png',
        data: Buffer.concat([SIGNATURE, Buffer.alloc(maxBytes + 1024)]),
      },
      status: 413,
      code: 'file_too_large',
    },
  ];
}
