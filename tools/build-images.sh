#!/usr/bin/env bash
# The Build images stage (pipelines/buildspec-images.yml): for each service in $SERVICES, build
# services/<name>/Dockerfile from the repository root with BuildKit and push it to
# $REGISTRY/platform/$STACK/<name>, tagged with its content hash (tools/image-tag.js). A tag the
# repository already has is neither rebuilt nor pushed: the repository's tags are immutable, and
# an unchanged service keeps its image. Prints `name=tag ...` on stdout; everything else on stderr.
set -euo pipefail
exec 3>&1 1>&2

: "${SERVICES:?}" "${STACK:?}" "${REGISTRY:?}" "${ECR_REGION:?}"
export DOCKER_BUILDKIT=1
tags=()
for service in $SERVICES; do
    tag="$(node tools/image-tag.js "$service")"
    repository="platform/$STACK/$service"
    if out="$(aws ecr describe-images --region "$ECR_REGION" --repository-name "$repository" --image-ids "imageTag=$tag" --output text 2>&1)"; then
        echo "$service: $repository:$tag exists; not rebuilt"
    elif grep -q "ImageNotFoundException" <<<"$out"; then
        docker build -f "services/$service/Dockerfile" -t "$REGISTRY/$repository:$tag" .
        docker push "$REGISTRY/$repository:$tag"
    else
        echo "$service: cannot look up $repository:$tag: $out"
        exit 1
    fi
    tags+=("$service=$tag")
done
echo "${tags[*]}" >&3
