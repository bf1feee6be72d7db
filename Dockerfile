# drainer's container image: one static binary and the CA certificates on
# an empty base (scratch), run as a non-root user. `drainer version` is its
# smoke test:
#
#   docker build --build-arg VERSION=v1.2.3 -t drainer:v1.2.3 .
#   docker run --rm drainer:v1.2.3 version        # prints "drainer v1.2.3"
#
# The last stage (image) builds the binary in a Go toolchain image. Where no
# image registry can be reached, scripts/image.sh builds the same binary with
# the machine's own Go and only the first stage (prebuilt) takes it:
#
#   scripts/image.sh --version v1.2.3 --tag drainer:v1.2.3
#
# BuildKit and buildah (podman build) skip the stages a target does not
# need, so neither path touches the other's inputs. Both are the same image: /drainer (CGO_ENABLED=0, -trimpath,
# -ldflags "-s -w -X main.buildVersion=VERSION"), the CA bundle at
# /etc/ssl/certs/ca-certificates.crt (where Go's crypto/x509 looks on
# Linux), user 65532, ENTRYPOINT /drainer. drainer run then needs only its
# flags or DRAINER_* variables and AWS's (AWS_REGION, credentials from the
# task role), e.g. `run --listen 0.0.0.0:8081 --queue-url URL`.

# prebuilt: the build context holds drainer (a linux binary built as above)
# and ca-certificates.crt; scripts/image.sh lays it out.
FROM scratch AS prebuilt
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY drainer /drainer
USER 65532:65532
ENTRYPOINT ["/drainer"]
CMD ["--help"]

# build: the binary, from the repository as the build context. The base is
# named in full: podman and buildah resolve no short name without an alias.
FROM docker.io/library/golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=devel
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.buildVersion=${VERSION}" -o /out/drainer ./cmd/drainer \
 && /out/drainer version

# image (the default target): the same image as prebuilt, from build.
FROM scratch AS image
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/drainer /drainer
USER 65532:65532
ENTRYPOINT ["/drainer"]
CMD ["--help"]
