# syntax=docker/dockerfile:1
# MaintainUK's production image (docs/operations.md): one static binary on distroless,
# run as a non-root user. Build:  docker build -t maintainuk:$(git rev-parse --short HEAD) .
# The same image runs every role: `serve` (the default), `worker`, `migrate`.

# ---- build ----
FROM golang:1.26 AS build
WORKDIR /src
# Dependencies first, so a source change reuses the downloaded modules.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
# Static (no cgo), reproducible (-trimpath), without symbol tables (-s -w). The binary has
# no version variable to stamp; the image carries the revision as a label instead.
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags='-s -w' -o /out/maintainuk ./cmd/maintainuk

# ---- run ----
FROM gcr.io/distroless/static-debian12:nonroot
ARG REVISION=unknown
LABEL org.opencontainers.image.title="maintainuk" \
      org.opencontainers.image.source="https://github.com/maintainuk/maintainuk" \
      org.opencontainers.image.revision="${REVISION}"
COPY --from=build /out/maintainuk /maintainuk
# Uploaded files live under DATA_DIR (attachments); mount a volume there.
WORKDIR /home/nonroot
USER nonroot:nonroot
EXPOSE 8080
# No shell in distroless: the binary checks itself (GET /health/live, 2 s timeout).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["/maintainuk", "healthcheck"]
ENTRYPOINT ["/maintainuk"]
CMD ["serve"]
