package main

import (
	"fmt"
	"log/slog"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/config"
	"github.com/tendcare/tend/internal/notify"
	"github.com/tendcare/tend/internal/notify/channel"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/vault"
)

// wireNotify builds the notification service: Web Push always (the VAPID
// key pair is made on first use), e-mail when TEND_SMTP_URL is set
// (docs/notifications.md). The settings are read from the cache at each
// delivery, so an admin's change of wording applies at once.
// config.Load has checked TEND_SMTP_URL, so a bad one panics here at
// start-up, never later.
func wireNotify(cfg config.Config, db *store.DB, v *vault.Vault, cache *settings.Cache, clock tend.Clock, accounts *auth.Service) *notify.Service {
	opt := notify.Options{Subject: cfg.Notify.VAPIDSubject, AllowLoopback: cfg.Notify.PushAllowLoopback, Limiter: accounts, Log: slog.Default(),
		Pusher: channel.NewWebPush()}
	if cfg.PublicURL != nil {
		opt.PublicURL = cfg.PublicURL.String()
	}
	if cfg.Notify.SMTPURL != "" {
		helo := ""
		if cfg.PublicURL != nil {
			helo = cfg.PublicURL.Hostname()
		}
		m, err := channel.NewSMTP(cfg.Notify.SMTPURL, cfg.Notify.MailFrom, helo)
		if err != nil {
			panic(fmt.Sprintf("e-mail: %v", err))
		}
		opt.Mailer = m
	}
	return notify.NewService(store.For[notify.Tx](db), v, clock, func() notify.Settings {
		s, _ := cache.Get()
		return s.Notifications
	}, opt)
}
