/**
 * Pictures for slides and mails: an on-screen SVG saved as a standalone SVG file (computed styles
 * inlined, so it looks the same outside the app) or rendered to a PNG. Under the picture, a caption
 * says what it shows and what it assumes (kernel profile, config, paging), so a picture taken out of
 * the page still states it.
 */
const STYLE_PROPS = ['fill', 'stroke', 'stroke-width', 'stroke-dasharray', 'font-family', 'font-size', 'font-weight', 'text-anchor', 'dominant-baseline', 'opacity', 'fill-opacity'];

const NS = 'http://www.w3.org/2000/svg';
const CAPTION_FONT = 11;
const CAPTION_LINE = 15;

/** Splits a caption line into lines of at most `chars` characters, at spaces. */
export function wrapLine(line: string, chars: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const word of line.split(' ')) {
    if (cur && cur.length + 1 + word.length > chars) {
      out.push(cur);
      cur = word;
    } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) out.push(cur);
  return out;
}

export function standaloneSvg(svg: SVGSVGElement, caption: readonly string[] = []): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const src = svg.querySelectorAll('*');
  const dst = clone.querySelectorAll('*');
  src.forEach((el, i) => {
    const cs = getComputedStyle(el);
    const target = dst[i] as SVGElement;
    const style = STYLE_PROPS.map((p) => `${p}:${cs.getPropertyValue(p)}`).join(';');
    target.setAttribute('style', style);
    for (const a of ['class', 'role', 'tabindex', 'data-bit', 'aria-checked', 'aria-hidden']) target.removeAttribute(a);
  });
  const box = svg.viewBox.baseVal;
  for (const a of ['class', 'role', 'tabindex']) clone.removeAttribute(a);
  const lines = caption.flatMap((l) => wrapLine(l, Math.max(40, Math.floor((box.width - 16) / (CAPTION_FONT * 0.56)))));
  const height = box.height + (lines.length ? lines.length * CAPTION_LINE + 10 : 0);
  clone.setAttribute('xmlns', NS);
  clone.setAttribute('width', String(box.width));
  clone.setAttribute('height', String(height));
  clone.setAttribute('viewBox', `${box.x} ${box.y} ${box.width} ${height}`);
  const cs = getComputedStyle(document.body);
  const rect = document.createElementNS(NS, 'rect');
  rect.setAttribute('width', '100%');
  rect.setAttribute('height', '100%');
  rect.setAttribute('fill', cs.backgroundColor);
  clone.insertBefore(rect, clone.firstChild);
  if (lines.length) {
    const text = document.createElementNS(NS, 'text');
    text.setAttribute('class', 'caption');
    text.setAttribute('style', `fill:${cs.color};font-family:${cs.fontFamily};font-size:${CAPTION_FONT}px`);
    lines.forEach((l, i) => {
      const span = document.createElementNS(NS, 'tspan');
      span.setAttribute('x', String(box.x + 8));
      span.setAttribute('y', String(box.y + box.height + 6 + (i + 1) * CAPTION_LINE - 4));
      span.textContent = l;
      text.append(span);
    });
    clone.append(text);
  }
  return new XMLSerializer().serializeToString(clone);
}

export function download(name: string, blob: Blob): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

export function saveSvg(svg: SVGSVGElement, name: string, caption: readonly string[] = []): void {
  download(`${name}.svg`, new Blob([standaloneSvg(svg, caption)], { type: 'image/svg+xml' }));
}

export async function savePng(svg: SVGSVGElement, name: string, caption: readonly string[] = [], scale = 2): Promise<void> {
  const text = standaloneSvg(svg, caption);
  const img = new Image();
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  try {
    await new Promise<void>((ok, fail) => {
      img.onload = () => ok();
      img.onerror = () => fail(new Error('the SVG could not be rendered'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(img.naturalWidth * scale);
    canvas.height = Math.ceil(img.naturalHeight * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas');
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0);
    const blob = await new Promise<Blob | null>((ok) => canvas.toBlob(ok, 'image/png'));
    if (!blob) throw new Error('the PNG could not be encoded');
    download(`${name}.png`, blob);
  } finally {
    URL.revokeObjectURL(url);
  }
}
