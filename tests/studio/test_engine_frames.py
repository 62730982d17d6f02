"""The frame maker's pieces: planes, the kept libswscale contexts, packing, the credits blend."""

from __future__ import annotations

import numpy as np
import pytest
from av.video.frame import VideoFrame
from PIL import Image

from crowdstudio.studio.montage.plan import Card, Framing, Motion
from crowdstudio.studio.montage.render import (
    CARD_BACKGROUND,
    CARD_TEXT,
    CreditsSource,
    Planes,
    Scaler,
    StillSource,
    pack,
    plane_array,
    yuv709,
)


def textured(size: tuple[int, int], seed: int) -> Image.Image:
    """Smooth gradients with a few hard edges: something a wrong window or scale would show."""
    w, h = size
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0.2, 1.0, 2)
    rgb = np.stack(
        [255 * xs / w * a, 255 * ys / h * b, 128 + 100 * np.sin(xs / 37.0 + ys / 53.0)], axis=-1
    )
    rgb[h // 3 : h // 2, w // 4 : w // 3] = (250, 250, 10)
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB")


def planes_of(image: Image.Image) -> Planes:
    return Planes.from_video_frame(VideoFrame.from_image(image))


def plane_copies(frame: VideoFrame) -> tuple[np.ndarray, ...]:
    return tuple(plane_array(p).copy() for p in frame.planes)


@pytest.mark.parametrize("size", [(1080, 1920), (114, 202), (130, 74), (2, 2)])
def test_pack_writes_every_plane_whatever_the_row_padding(size):
    w, h = size
    rng = np.random.default_rng(1)
    y = rng.integers(16, 236, (h, w), dtype=np.uint8)
    u = rng.integers(16, 241, (h // 2, w // 2), dtype=np.uint8)
    v = rng.integers(16, 241, (h // 2, w // 2), dtype=np.uint8)
    frame = pack(y, u, v)
    assert (frame.width, frame.height, frame.format.name) == (w, h, "yuv420p")
    got = plane_copies(frame)
    for mine, theirs in zip(got, (y, u, v), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    # and what the encoder would read is the same picture
    np.testing.assert_array_equal(frame.to_ndarray()[:h], y)


def test_one_scaler_for_pictures_and_windows_of_changing_sizes_gives_the_same_frames():
    pictures = [
        planes_of(textured((900, 600), 1)),
        planes_of(textured((641, 977), 2)),
    ]
    boxes = [(10.2, 7.6, 810.4, 457.3), (3.0, 40.0, 619.0, 387.0), (0.0, 0.0, 640.0, 360.0)]
    shared = Scaler()
    for n in range(6):  # alternating pictures, sizes and windows through one set of contexts
        planes, box = pictures[n % 2], boxes[n % 3]
        kept = plane_copies(planes.frame(box, (320, 180), shared))
        fresh = plane_copies(planes.frame(box, (320, 180), Scaler()))
        for a, b in zip(kept, fresh, strict=True):
            np.testing.assert_array_equal(a, b)


def test_a_window_is_the_same_picture_as_pillow_would_make_of_it():
    image = textured((1200, 800), 3)
    planes = planes_of(image)
    box = (101.0, 77.0, 1061.0, 617.0)  # whole pixels: no rounding between the two
    frame = planes.frame(box, (640, 360), Scaler())
    expected = np.asarray(
        image.resize((640, 360), Image.Resampling.BILINEAR, box=box).convert("RGB"), np.int16
    )
    got = np.asarray(frame.to_image(), np.int16)
    assert np.abs(got - expected).mean() < 3.0
    # a window smaller than the output takes Pillow's sub-pixel path, and shows the same place
    small = planes.frame((400.5, 300.25, 560.5, 390.25), (320, 180), Scaler())
    crop = image.resize((320, 180), Image.Resampling.BILINEAR, box=(400.5, 300.25, 560.5, 390.25))
    assert np.abs(np.asarray(small.to_image(), np.int16) - np.asarray(crop, np.int16)).mean() < 4.0


@pytest.mark.parametrize(
    "rgb", [(255, 0, 0), (0, 255, 0), (0, 0, 255), (128, 128, 128), (14, 14, 18)]
)
def test_colours_become_bt709_tv_range(rgb):
    planes = planes_of(Image.new("RGB", (64, 48), rgb))
    expected = yuv709(rgb)
    for plane, value in zip((planes.y, planes.u, planes.v), expected, strict=True):
        assert abs(float(plane.mean()) - value) <= 1.0, (rgb, plane.mean(), value)
    assert planes.y.shape == (48, 64) and planes.u.shape == planes.v.shape == (24, 32)


def test_planes_are_scaled_on_conversion_and_turned_by_the_rotation():
    image = Image.new("RGB", (400, 200), (20, 20, 20))
    image.paste((240, 240, 240), (0, 0, 100, 50))  # a light mark in the top-left corner
    frame = VideoFrame.from_image(image)
    planes = Planes.from_video_frame(frame, size=(200, 100))
    assert planes.size == (200, 100)
    assert planes.y[:25, :50].mean() > 200 and planes.y[75:, 150:].mean() < 40
    turned = Planes.from_video_frame(frame, 90, size=(200, 100))  # counterclockwise
    assert turned.size == (100, 200) and turned.u.shape == (100, 50)
    assert turned.y[-50:, :25].mean() > 200  # the top-left mark is now bottom-left
    assert turned.y[:50, :25].mean() < 40


@pytest.mark.parametrize("photo", [(3000, 2000), (1200, 1600), (37, 23)])
def test_a_shot_keeps_its_picture_at_the_size_its_closest_zoom_needs(photo):
    size = (320, 180)
    motion = Motion(
        start_scale=1.0, end_scale=1.15, start_center=(0.5, 0.5), end_center=(0.55, 0.45)
    )
    w, h = photo
    crop_h = min(h, round(w * 9 / 16))
    crop_w = round(crop_h * 16 / 9)
    crop = (0, (h - crop_h) // 2, crop_w, crop_h)
    framing = Framing(size=size, crop=crop, scale=size[0] / crop_w, motion=motion, source=photo)
    image = textured(photo, 4)
    still = StillSource(image, framing, size, Scaler())
    sw, sh = still.planes.size
    assert 368 <= sw <= 368 * 1.25 + 1  # ceil(320 * 1.15) .. 25 % above: no per-frame waste
    assert abs(sw / sh - 16 / 9) < 0.05
    for progress in (0.0, 0.5, 1.0):  # every window is as large as the output: the fast path
        frame = still.frame(progress)
        assert (frame.width, frame.height) == size


def test_the_credits_blend_is_the_mask_mixed_from_background_to_text_colour():
    card = Card(0.0, 3.0, ("Music: Lumen", "Summer Nights", *(f"fan {n}" for n in range(30))), 2)
    size = (160, 90)
    source = CreditsSource(card, size, frames=36, fps=12.0)
    k = 10
    mask = np.asarray(source.painter.mask(source.seconds(k)), np.float32) / 255
    y, u, v = plane_copies(source.frame(k))
    bg, fg = yuv709(CARD_BACKGROUND), yuv709(CARD_TEXT)
    np.testing.assert_allclose(y, bg[0] + (fg[0] - bg[0]) * mask, atol=0.51)
    assert mask.max() > 0.5 and mask.min() == 0.0  # there is text, and background
    assert u.shape == v.shape == (45, 80)
    assert abs(float(u.mean()) - bg[1]) < 2 and abs(float(v.mean()) - bg[2]) < 2


def test_a_window_views_the_planes_at_whole_pixels_with_an_even_size():
    _, xs = np.mgrid[0:100, 0:160]
    y = (xs % 200).astype(np.uint8)  # each column says where it is
    u = np.tile(np.arange(80, dtype=np.uint8), (50, 1))
    v = np.tile(np.arange(50, dtype=np.uint8)[:, None], (1, 80))
    y.flags.writeable = False  # as Pillow hands out arrays: copied once, not refused
    planes = Planes(y, u, v)
    box = (10.4, 6.6, 131.2, 77.0)
    cbox = (box[0] / 2, box[1] / 2, box[2] / 2, box[3] / 2)
    window = planes.window(box, cbox)
    assert (window.width, window.height) == (120, 70)  # 121 wide, cut to an even width
    wy, wu, wv = (plane_array(p) for p in window.planes)
    assert wy[0, 0] == 10 and wy[0, -1] == 129
    assert wu.shape == wv.shape == (35, 60)
    assert wu[0, 0] == 5 and wv[0, 0] == 3  # round(5.2), round(3.3)
    planes.u[3, 5] = 250  # a view, not a copy
    assert wu[0, 0] == 250
    # near the edges the window stays inside the planes
    edge = planes.window((150.0, 95.0, 170.0, 110.0), (75.0, 47.5, 85.0, 55.0))
    assert (edge.width, edge.height) == (10, 4)
    assert plane_array(edge.planes[1]).shape == (2, 5)
