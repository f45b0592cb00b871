package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/rights"
)

type dataExportJSON struct {
	ID           tend.ID            `json:"id"`
	State        rights.ExportState `json:"state"`
	RequestedAt  time.Time          `json:"requested_at"`
	ReadyAt      *time.Time         `json:"ready_at,omitempty"`
	ExpiresAt    time.Time          `json:"expires_at"`
	DownloadedAt *time.Time         `json:"downloaded_at,omitempty"`
	Size         int                `json:"size"`
}

type dataExportsJSON struct {
	Exports []dataExportJSON `json:"exports"`
}

func dataExport(e rights.Export) dataExportJSON {
	return dataExportJSON{ID: e.ID, State: e.State, RequestedAt: e.RequestedAt, ReadyAt: e.ReadyAt, ExpiresAt: e.ExpiresAt, DownloadedAt: e.DownloadedAt, Size: e.Size}
}

// dataExportList is the signed-in person's downloads not yet expired.
func (h *Handler) dataExportList(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	if h.opt.Rights == nil {
		return tend.ErrNotFound
	}
	list, err := h.opt.Rights.Exports(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	out := dataExportsJSON{Exports: make([]dataExportJSON, 0, len(list))}
	for _, e := range list {
		out.Exports = append(out.Exports, dataExport(e))
	}
	return writeJSON(w, http.StatusOK, out)
}

// dataExportCreate asks for a new download; a background job makes it.
func (h *Handler) dataExportCreate(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	if h.opt.Rights == nil {
		return tend.ErrNotFound
	}
	e, err := h.opt.Rights.RequestExport(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/me/exports/"+string(e.ID))
	return writeJSON(w, http.StatusAccepted, dataExport(e))
}

// dataExportDownload sends one ready download (a zip), to its owner only.
func (h *Handler) dataExportDownload(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	if h.opt.Rights == nil {
		return tend.ErrNotFound
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	zip, e, err := h.opt.Rights.Download(r.Context(), a, a.ID, id)
	if err != nil {
		return err
	}
	return WriteDataExport(w, e, zip)
}

// WriteDataExport sends a person's download e, the zip, as an attachment
// named by the day it was asked for; the API and the person's page send it
// alike.
func WriteDataExport(w http.ResponseWriter, e rights.Export, zip []byte) error {
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="my-information-`+e.RequestedAt.UTC().Format(time.DateOnly)+`.zip"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(zip)))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(zip) // #nosec G705 -- a zip sent as an attachment, never rendered as a page
	return err
}
