import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';

/** DejaVu (Debian's fonts-dejavu-core; CI installs it): the face every image is drawn in. */
const FONT_FILES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf',
].filter((f) => existsSync(f));

/** Rasterizes an SVG (ours, from renderDiagramSvg) to PNG at `scale`× its size. */
export function svgToPng(svg: string, scale = 2): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: {
      fontFiles: FONT_FILES,
      loadSystemFonts: FONT_FILES.length === 0,
      defaultFontFamily: 'DejaVu Sans',
    },
    background: '#ffffff',
  });
  return resvg.render().asPng();
}
