def test_walk_to_closed(make_case):
    case = make_case(at="closed_returned")
    assert case.stage == "closed_returned"
