"""Pages of the mobilisation domain."""

from flask import Blueprint

bp = Blueprint("mobilisation", __name__, url_prefix="/van-dong-vien-tro")
