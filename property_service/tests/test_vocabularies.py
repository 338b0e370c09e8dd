"""The model's choices are the contract's vocabularies (rentezy_common.contracts)."""

from properties.choices import AMENITY_CODES, PropertyStatus, PropertyType

from rentezy_common.contracts import property as contract


def test_choices_match_the_contract():
    assert {choice.value for choice in PropertyType} == set(contract.PROPERTY_TYPES)
    assert {choice.value for choice in PropertyStatus} == set(contract.STATUSES)
    assert AMENITY_CODES == contract.AMENITIES
