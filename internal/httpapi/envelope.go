package httpapi

import (
	"context"

	"github.com/maintainuk/maintainuk/internal/page"
)

// Envelope is the success body of every API response: {"data": …, "error": null, "traceId": …}.
type Envelope[T any] struct {
	Data    T      `json:"data"`
	Error   *Null  `json:"error" doc:"Always null on success."`
	TraceID string `json:"traceId"`
}

// ListEnvelope is Envelope for a page of a list, with the cursor of the next page.
type ListEnvelope[T any] struct {
	Data    []T      `json:"data"`
	Error   *Null    `json:"error" doc:"Always null on success."`
	TraceID string   `json:"traceId"`
	Meta    ListMeta `json:"meta"`
}

// Null is an envelope member that is always null (error on success, data on failure).
// A nil *Null encodes as null and its schema admits null, so answers validate against
// the OpenAPI document (a nil *Failure would be documented as a required object).
type Null struct {
	_ struct{} `nullable:"true" additionalProperties:"false"`
}

// ListMeta carries pagination details.
type ListMeta struct {
	NextCursor string `json:"nextCursor,omitempty" doc:"Pass as ?cursor= to get the next page; absent on the last page."`
}

// Out is a handler output carrying an Envelope body.
type Out[T any] struct {
	Body Envelope[T]
}

// ListOut is a handler output carrying a ListEnvelope body.
type ListOut[T any] struct {
	Body ListEnvelope[T]
}

// Created is Out for operations that answer 201 (registered with creates(op)).
type Created[T any] struct {
	Body Envelope[T]
}

func ok[T any](ctx context.Context, v T) *Out[T] {
	return &Out[T]{Body: Envelope[T]{Data: v, TraceID: traceID(ctx)}}
}

func created[T any](ctx context.Context, v T) *Created[T] {
	return &Created[T]{Body: Envelope[T]{Data: v, TraceID: traceID(ctx)}}
}

func list[T any](ctx context.Context, p page.Result[T]) *ListOut[T] {
	items := p.Items
	if items == nil {
		items = []T{}
	}
	return &ListOut[T]{Body: ListEnvelope[T]{Data: items, TraceID: traceID(ctx), Meta: ListMeta{NextCursor: p.NextCursor}}}
}

// PageQuery is the pagination input every list endpoint accepts.
type PageQuery struct {
	Limit  int    `query:"limit" minimum:"1" maximum:"200" default:"50" doc:"Page size."`
	Cursor string `query:"cursor" maxLength:"512" doc:"Opaque cursor from meta.nextCursor."`
}

func (q PageQuery) request() page.Request { return page.Request{Limit: q.Limit, Cursor: q.Cursor} }
