// Package web serves Tend's pages: server-rendered HTML from embedded
// templates, a little htmx as an enhancement (every form works without
// JavaScript), the help page, the operations endpoints and the security
// headers. Handlers are thin: parse, call one service, render, redirect.
// Handlers never decide who may see what, and never show an internal error.
package web
