"""The HTTP edge: routers, request and response bodies, dependencies, errors turned into responses, limits and headers."""
