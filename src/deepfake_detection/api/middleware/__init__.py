"""What stands between the server and the routes, one middleware per module.

``api.app.install_middleware`` stacks them; its docstring lists the order a request meets them.
"""
