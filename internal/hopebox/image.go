package hopebox

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"

	"github.com/tendcare/tend"
)

// Limits on a photo, so that an upload cannot exhaust memory or storage.
const (
	MaxPhotoBytes  = 5 << 20    // the file as uploaded
	MaxPhotoSide   = 8000       // pixels along either side
	MaxPhotoPixels = 24_000_000 // pixels in all
	ThumbSide      = 320        // the longer side of a thumbnail
	jpegQuality    = 90         // re-encoded photos
	thumbQuality   = 80         // re-encoded thumbnails
	maxBoxWords    = 2000       // characters of one text
	maxItems       = 200        // words or photos in one box
	sniffJPEG      = "\xff\xd8\xff"
	sniffPNG       = "\x89PNG\r\n\x1a\n"
)

// The content types a photo may have.
const (
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
)

// normalized is a photo made safe to keep: only its pixels, encoded again.
type normalized struct {
	image, thumb  []byte
	contentType   string
	width, height int
}

// Sniff returns the content type of data by its first bytes ("" when it is
// neither JPEG nor PNG); a file's name or declared type is never trusted.
func Sniff(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte(sniffJPEG)):
		return TypeJPEG
	case bytes.HasPrefix(data, []byte(sniffPNG)):
		return TypePNG
	}
	return ""
}

var errNotPhoto = tend.Errorf(tend.EINVALID, "That file is not a photo Tend can keep. Please choose a JPEG or PNG photo.")

// normalize decodes a JPEG or PNG photo and encodes it again, turned the
// way the camera meant, so that nothing but the pixels survives: no EXIF
// (camera, time, GPS location), no comments, no embedded data.
func normalize(data []byte) (normalized, error) {
	if len(data) > MaxPhotoBytes {
		return normalized{}, tend.Errorf(tend.EINVALID, "That photo is too big. Photos can be up to %d MB.", MaxPhotoBytes>>20)
	}
	ct := Sniff(data)
	var cfg image.Config
	var err error
	switch ct {
	case TypeJPEG:
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(data))
	case TypePNG:
		cfg, err = png.DecodeConfig(bytes.NewReader(data))
	default:
		return normalized{}, errNotPhoto
	}
	if err != nil {
		return normalized{}, errNotPhoto
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxPhotoSide || cfg.Height > MaxPhotoSide || cfg.Width*cfg.Height > MaxPhotoPixels {
		return normalized{}, tend.Errorf(tend.EINVALID, "That photo has too many pixels. Please choose a smaller photo (up to %d pixels on each side).", MaxPhotoSide)
	}
	var img image.Image
	if ct == TypeJPEG {
		img, err = jpeg.Decode(bytes.NewReader(data))
	} else {
		img, err = png.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return normalized{}, errNotPhoto
	}
	if ct == TypeJPEG {
		img = orient(img, exifOrientation(data))
	}
	out := normalized{contentType: ct, width: img.Bounds().Dx(), height: img.Bounds().Dy()}
	if out.image, err = encode(ct, img, jpegQuality); err != nil {
		return normalized{}, err
	}
	if out.thumb, err = encode(ct, thumbnail(img, ThumbSide), thumbQuality); err != nil {
		return normalized{}, err
	}
	return out, nil
}

func encode(ct string, img image.Image, quality int) ([]byte, error) {
	var buf bytes.Buffer
	var err error
	if ct == TypeJPEG {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality})
	} else {
		err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img)
	}
	if err != nil {
		return nil, tend.Wrap(tend.EINTERNAL, err, "The photo could not be kept. Please try again.")
	}
	return buf.Bytes(), nil
}

// exifOrientation returns the EXIF orientation (1 to 8) of a JPEG, or 1
// when it has none: the only thing read from the metadata, which is then
// dropped.
func exifOrientation(data []byte) int {
	p := 2 // after SOI
	for p+4 <= len(data) {
		if data[p] != 0xff {
			return 1
		}
		marker := data[p+1]
		if marker == 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker == 0x01 {
			p += 2
			continue
		}
		if marker == 0xda || marker == 0xd9 { // start of scan, end of image
			return 1
		}
		n := int(binary.BigEndian.Uint16(data[p+2:]))
		if n < 2 || p+2+n > len(data) {
			return 1
		}
		seg := data[p+4 : p+2+n]
		if marker == 0xe1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return tiffOrientation(seg[6:])
		}
		p += 2 + n
	}
	return 1
}

func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	off := int(bo.Uint32(t[4:]))
	if off < 8 || off+2 > len(t) {
		return 1
	}
	count := int(bo.Uint16(t[off:]))
	for i := range count {
		e := off + 2 + 12*i
		if e+12 > len(t) {
			return 1
		}
		if bo.Uint16(t[e:]) == 0x0112 && bo.Uint16(t[e+2:]) == 3 {
			if o := int(bo.Uint16(t[e+8:])); o >= 1 && o <= 8 {
				return o
			}
			return 1
		}
	}
	return 1
}

// orient turns img as EXIF orientation o says the camera meant.
func orient(img image.Image, o int) image.Image {
	if o <= 1 || o > 8 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := range h {
		for x := range w {
			var dx, dy int
			switch o {
			case 2:
				dx, dy = w-1-x, y
			case 3:
				dx, dy = w-1-x, h-1-y
			case 4:
				dx, dy = x, h-1-y
			case 5:
				dx, dy = y, x
			case 6:
				dx, dy = h-1-y, x
			case 7:
				dx, dy = h-1-y, w-1-x
			case 8:
				dx, dy = y, w-1-x
			}
			dst.Set(dx, dy, img.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return dst
}

// thumbnail scales img down so its longer side is at most side pixels,
// averaging a few samples of the source for each pixel.
func thumbnail(img image.Image, side int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	tw, th := w, h
	if w >= h && w > side {
		tw, th = side, max(1, h*side/w)
	} else if h > w && h > side {
		tw, th = max(1, w*side/h), side
	}
	dst := image.NewRGBA(image.Rect(0, 0, tw, th))
	const samples = 4
	for y := range th {
		for x := range tw {
			var r, g, bl, a, n uint32
			for sy := range samples {
				for sx := range samples {
					px := b.Min.X + (x*samples+sx)*w/(tw*samples)
					py := b.Min.Y + (y*samples+sy)*h/(th*samples)
					cr, cg, cb, ca := img.At(px, py).RGBA()
					r, g, bl, a, n = r+cr, g+cg, bl+cb, a+ca, n+1
				}
			}
			// #nosec G115 -- the mean of 16-bit channels, shifted to 8 bits, is at most 255.
			dst.SetRGBA(x, y, color.RGBA{uint8(r / n >> 8), uint8(g / n >> 8), uint8(bl / n >> 8), uint8(a / n >> 8)})
		}
	}
	return dst
}
