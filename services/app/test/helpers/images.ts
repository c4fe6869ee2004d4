/** Images and attack files for the upload tests, made in memory. */
import sharp from 'sharp';

/** A `width`×`height` PNG carrying EXIF with GPS coordinates. */
export async function pngWithGps(width = 640, height = 480): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 60, b: 30 } } })
    .withExif({
      IFD0: { Make: 'TestCam', Model: 'Secret-Serial-1234' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2400/100' },
    })
    .png()
    .toBuffer();
}

export const HTML_PAYLOAD = '<html><body><script>alert(document.cookie)</script></body></html>';

/** Every refused upload the tests try, with the status and code the app answers. */
export function attackFiles(maxBytes: number) {
  const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  // A PNG's signature and its IHDR chunk (10×10, RGB), so magic-number checks say PNG.
  const pngHeader = Buffer.concat([
    pngSignature,
    Buffer.from('0000000d494844520000000a0000000a0802000000025058ea', 'hex'),
  ]);
  // A GIF whose header claims 65535×65535 pixels (4.3 gigapixels) in a few bytes.
  const gifBomb = Buffer.concat([
    Buffer.from('GIF89a'),
    Buffer.from([0xff, 0xff, 0xff, 0xff, 0x80, 0, 0, 0, 0, 0, 255, 255, 255]),
    Buffer.from([0x2c, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00]),
    Buffer.from([0x3b]),
  ]);
  return [
    {
      what: 'an HTML file named .png',
      file: { filename: 'cat.png', type: 'image/png', data: Buffer.from(HTML_PAYLOAD) },
      status: 415,
      code: 'unsupported_image_type',
    },
    {
      what: 'a PNG header followed by HTML',
      file: {
        filename: 'polyglot.png',
        type: 'image/png',
        data: Buffer.concat([pngHeader, Buffer.from(HTML_PAYLOAD)]),
      },
      status: 422,
      code: 'image_unreadable',
    },
    {
      what: 'an SVG with script',
      file: {
        filename: 'logo.svg',
        type: 'image/svg+xml',
        data: Buffer.from(
          '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        ),
      },
      status: 415,
      code: 'unsupported_image_type',
    },
    {
      what: 'a GIF bomb (65535×65535 in its header)',
      file: { filename: 'bomb.gif', type: 'image/gif', data: gifBomb },
      status: 422,
      code: 'image_too_large',
    },
    {
      what: 'a 0-byte file',
      file: { filename: 'empty.png', type: 'image/png', data: Buffer.alloc(0) },
      status: 422,
      code: 'empty_file',
    },
    {
      what: 'a file over the size limit',
      file: {
        filename: 'huge.png',
        type: 'image/png',
        data: Buffer.concat([pngSignature, Buffer.alloc(maxBytes + 1)]),
      },
      status: 413,
      code: 'file_too_large',
    },
  ];
}
