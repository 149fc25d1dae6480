from deepfake_detection.analysis.tracking import TrackingOptions, link_faces, similarity
from deepfake_detection.shared.faces import Box, DetectedFace


def face(x: float, y: float = 100, size: float = 80) -> DetectedFace:
    return DetectedFace(Box(x, y, x + size, y + size), 0.9)


def test_two_people_keep_their_ids_while_they_move() -> None:
    frames = [
        [face(100), face(400)],
        [face(405), face(110)],  # the detector lists them the other way round
        [face(125), face(415)],
        [face(140), face(420)],
    ]
    assert link_faces(frames) == [[0, 1], [1, 0], [0, 1], [0, 1]]


def test_a_face_that_appears_is_a_new_person() -> None:
    frames = [[face(100)], [face(105)], [face(110), face(500)], [face(500)]]
    assert link_faces(frames) == [[0], [0], [0, 1], [1]]


def test_far_apart_samples_link_by_distance_relative_to_face_size() -> None:
    # No overlap between samples (fast pan) but the face moved less than its own size.
    frames = [[face(100)], [face(160)]]
    assert face(100).box.iou(face(160).box) < 0.3
    assert link_faces(frames) == [[0], [0]]
    # Moving much more than its size is someone else.
    assert link_faces([[face(100)], [face(400)]]) == [[0], [1]]


def test_a_face_of_a_very_different_size_is_someone_else() -> None:
    options = TrackingOptions()
    assert similarity(face(100), face(100, size=200), options) == 0
    assert similarity(face(100), face(130, size=90), options) > 0


def test_landmarks_are_used_when_both_faces_have_them() -> None:
    a = DetectedFace(Box(100, 100, 180, 180), 0.9, ((120, 130), (160, 130)))
    b = DetectedFace(Box(150, 100, 230, 180), 0.9, ((170, 130), (210, 130)))
    c = DetectedFace(Box(150, 100, 230, 180), 0.9, ((300, 330), (340, 330)))
    options = TrackingOptions(min_iou=0.9)
    assert similarity(a, b, options) > 0
    assert similarity(a, c, options) == 0


def test_no_faces_no_persons() -> None:
    assert link_faces([[], []]) == [[], []]
