package testenv

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// LocationMarker stands for location data hidden in a photo's EXIF block:
// a photo Tend keeps must never contain it.
const LocationMarker = "GPS 51.5007N 0.1246W secret-location-marker"

// Picture is a w x h image whose left half is red and right half blue, so
// a turn can be told from the pixels.
func Picture(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{220, 20, 20, 255}
			if x >= w/2 {
				c = color.RGBA{20, 20, 220, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// JPEGWithExif returns a w x h JPEG of Picture carrying an APP1 Exif
// segment, as phone cameras write them: an orientation tag and
// LocationMarker.
func JPEGWithExif(t testing.TB, w, h int, orientation uint16) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, Picture(w, h), &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	// A little-endian TIFF header and IFD0 with one entry: Orientation.
	var tiff bytes.Buffer
	le := binary.LittleEndian
	tiff.WriteString("II")
	_ = binary.Write(&tiff, le, uint16(42))
	_ = binary.Write(&tiff, le, uint32(8))                // IFD0 offset
	_ = binary.Write(&tiff, le, uint16(1))                // one entry
	_ = binary.Write(&tiff, le, []uint16{0x0112, 3})      // Orientation, SHORT
	_ = binary.Write(&tiff, le, uint32(1))                // count
	_ = binary.Write(&tiff, le, []uint16{orientation, 0}) // value
	_ = binary.Write(&tiff, le, uint32(0))                // no next IFD
	tiff.WriteString(LocationMarker)
	payload := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	seg := []byte{0xff, 0xe1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2)) // #nosec G115 -- a test segment of a few dozen bytes.
	seg = append(seg, payload...)
	src := buf.Bytes()
	out := append([]byte{}, src[:2]...) // SOI
	out = append(out, seg...)
	return append(out, src[2:]...)
}
