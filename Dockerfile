# syntax=docker/dockerfile:1
# Multi-stage build of a static, cgo-free binary (the embedded SQLite is pure
# Go), run as a non-root user on a distroless base that carries CA
# certificates and tzdata. Not built on the development machines (no Docker
# engine there); kept correct by reading.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The root package is the electionbot command (package cli does the work);
# the load command (cmd/electionbot-bench) is not part of the image.
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/electionbot . \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/electionbot /usr/local/bin/electionbot
# A writable folder for the embedded database when DATABASE_URL is not set
# to PostgreSQL (mount a volume here to keep it).
COPY --from=build --chown=65532:65532 /out/data /data
WORKDIR /data
USER 65532:65532
ENV LISTEN_ADDR=:8080 \
    DATABASE_URL=sqlite:///data/electionbot.db
EXPOSE 8080
# `electionbot healthcheck` asks serve's /healthz, which commits a tiny
# write: a database that answers but cannot commit (read-only, full) makes
# the container unhealthy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD ["electionbot", "healthcheck"]
ENTRYPOINT ["electionbot"]
CMD ["serve"]
