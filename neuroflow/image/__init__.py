"""`tf.image`: TensorFlow 1.x's image functions — resizing with TensorFlow's exact sampling, flips, rotations,
crops and pads, colour conversions and adjustments, seeded random augmentations, box selection and drawing, and
PNG (built in) / JPEG, GIF, BMP (through Pillow) codecs. Loaded on first use of `tf.image`."""
from ..ops.image_codec_ops import decode_bmp, decode_gif, decode_jpeg, decode_png, encode_jpeg, encode_png
from ..ops.bounding_box_ops import sample_distorted_bounding_box
from ..ops.image_ops import draw_bounding_boxes, non_max_suppression
from ..ops.resize_ops import resize_area, resize_bicubic, resize_bilinear, resize_nearest_neighbor
from .codecs import decode_image
from .crop_and_resize import crop_and_resize
from .color import (adjust_brightness, adjust_contrast, adjust_gamma, adjust_hue, adjust_saturation,
                    convert_image_dtype, grayscale_to_rgb, hsv_to_rgb, per_image_standardization, rgb_to_grayscale,
                    rgb_to_hsv, rgb_to_yiq, rgb_to_yuv, yiq_to_rgb, yuv_to_rgb)
from .geometry import (central_crop, crop_to_bounding_box, flip_left_right, flip_up_down, pad_to_bounding_box,
                       resize_image_with_crop_or_pad, rot90, transpose_image)
from .measures import image_gradients, psnr, total_variation
from .random_augment import (random_brightness, random_contrast, random_crop, random_flip_left_right,
                             random_flip_up_down, random_hue, random_saturation)
from .resize import ResizeMethod, resize, resize_image_with_pad, resize_images
from .similarity import sobel_edges, ssim

transpose = transpose_image
resize_with_crop_or_pad = resize_image_with_crop_or_pad
resize_with_pad = resize_image_with_pad
